package wanka.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wanka.align.pref.ModelChecksum;
import wanka.align.select.AnswerStats;
import wanka.align.select.ScoringPass;
import wanka.align.select.Scorer;
import wanka.align.select.Selection;
import wanka.align.select.SelectionData;
import wanka.align.select.SelectionPlan;
import wanka.align.select.SelectionReport;
import wanka.align.select.TagRules;
import wanka.io.AtomicFiles;
import wanka.model.ModelIO;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.tensor.CpuDevice;
import wanka.tokenizer.ChatTemplate;
import wanka.tokenizer.Tokenizer;
import wanka.train.RunDirectory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "select", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Choose the SFT samples worth training on: score every sample with a model, optionally cluster, keep the best.",
                "Scores (per sample, in <out>/scores.jsonl; Q = the conversation before the last assistant turn, A = that turn):",
                "  ppl = exp(s(A|Q)), s(A|Q) = mean per-token loss of A given Q;  s(A) = the same for A alone",
                "  ifd = s(A|Q) / s(A)  (Cherry, Li et al. 2024: near 1 = the instruction barely helps = a hard sample; >= 1 dropped)",
                "  ifd-ppl = PPL(A|Q) / PPL(A) = exp(s(A|Q) - s(A))  (Superfiltering; ranks differently from ifd)",
                "  learnability = s_base(A|Q) - s_ft(A|Q)  (LoBaSS; needs --finetuned), learnability-norm = that / s_base(A|Q)",
                "  length = answer tokens",
                "Scoring is batched and resumable: rerunning into the same <out> scores only what is missing (the same --model).",
                "Clustering (--clusters K): k-means++ on mean-pooled hidden states per category (--category-field or --tag-rules),",
                "then only the --nearest samples closest to each centre stay candidates. Candidates are ranked by --rank-by and the",
                "first --keep are kept. Writes <out>/selected.jsonl (the kept lines, unchanged), <out>/decisions.jsonl (every sample,",
                "kept or not and why) and <out>/report.md (counts, reasons, cluster sizes with examples)."},
        footer = {"", "Examples:",
                "  wanka select --model runs/base/model --data alpaca.jsonl --out runs/sel --rank-by ifd --keep 0.1",
                "  wanka select --model M --data d.jsonl --out runs/sel --clusters 100 --nearest 10 --rank-by ifd --keep 0.05",
                "  wanka select --model M --finetuned runs/sft/model --data d.jsonl --out runs/sel --rank-by learnability --keep 2000",
                "  wanka select --model M --data d.jsonl --out runs/sel --tag-rules tags.json --clusters 20 --ppl-band 5,95",
                "  wanka sft --model M --data runs/sel/selected.jsonl --out runs/sft"})
final class SelectCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Scoring model (HF directory); Cherry uses the base model.")
    Path model;

    @Option(names = "--finetuned", paramLabel = "DIR", description = "A model fine-tuned on (part of) the data, for learnability.")
    Path finetuned;

    @Option(names = "--tokenizer", paramLabel = "DIR", description = "Tokenizer with the chat tokens (default: the --model directory).")
    Path tokenizer;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "SFT JSONL (messages, Alpaca, ShareGPT). Repeatable.")
    List<Path> data = new ArrayList<>();

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (locked while running; a rerun reuses its scores).")
    Path out;

    @Option(names = "--rank-by", defaultValue = "ifd", description = "ifd, ifd-ppl, ppl, learnability, learnability-norm, length or random (default: ${DEFAULT-VALUE}).")
    String rankBy;

    @Option(names = "--keep", defaultValue = "0.1", description = "How many to keep: a fraction of the dataset below 1, else a count (default: ${DEFAULT-VALUE}).")
    double keep;

    @Option(names = "--keep-ifd-above-1", description = "Do not drop samples with IFD >= 1 (Cherry drops them: the instruction does not help).")
    boolean keepIfdAboveOne;

    @Option(names = "--ppl-band", defaultValue = "0,100", paramLabel = "LOW,HIGH", description = "Keep only PPL(A|Q) between these percentiles, e.g. 5,95 (default: ${DEFAULT-VALUE}).")
    String pplBand;

    @Option(names = "--clusters", defaultValue = "0", description = "k-means clusters per category; 0 = no clustering (default: ${DEFAULT-VALUE}).")
    int clusters;

    @Option(names = "--nearest", defaultValue = "10", description = "With --clusters: candidates per cluster, nearest to its centre (default: ${DEFAULT-VALUE}).")
    int nearest;

    @Option(names = "--category-field", paramLabel = "KEY", description = "A field of each line holding its category (clustering runs per category).")
    String categoryField;

    @Option(names = "--tag-rules", paramLabel = "FILE", description = "JSON {\"logic/math\": [\"calculate\", ...], ...}: a line's category is the first tag with a keyword in its instruction, else 'other'.")
    Path tagRules;

    @Option(names = "--seq", description = "Longest rendered sample; longer lines are quarantined (default: the model's training_seqlen).")
    Integer seq;

    @Option(names = "--batch", defaultValue = "8", description = "Samples per scoring batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seed", defaultValue = "1234", description = "Seed of k-means and of --rank-by random (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", description = "CPU threads (default: all cores).")
    Integer threads;

    @Option(names = "--overwrite", description = "Score again from scratch (scores of another model in <out> are otherwise an error).")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        Scorer scorer = rankBy.equals("random") ? null : Scorer.parse(rankBy);
        String[] band = pplBand.split(",");
        if (band.length != 2) throw new IllegalArgumentException("--ppl-band must be LOW,HIGH percentiles, e.g. 5,95");
        SelectionPlan plan = new SelectionPlan(scorer, keep, !keepIfdAboveOne, Double.parseDouble(band[0].strip()), Double.parseDouble(band[1].strip()), clusters, nearest, seed);
        if (scorer instanceof Scorer.Learnability && finetuned == null) throw new IllegalArgumentException("--rank-by " + rankBy + " needs --finetuned DIR");
        if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        TeleChat2Config cfg = TeleChat2Config.read(model.resolve("config.json"));
        int maxTokens = seq != null ? seq : cfg.trainingSeqlen();
        Tokenizer tok = Corpora.loadTokenizer(tokenizer != null ? tokenizer : model);
        ChatTemplate template = Corpora.chatTemplate(tok, tokenizer != null ? tokenizer : model);
        TagRules rules = tagRules != null ? TagRules.read(tagRules) : null;
        OutDirs.require("--out", out);
        try (RunDirectory run = RunDirectory.open(out, RunDirectory.Start.RESUME, System.err::println);
             CpuDevice device = CpuDevice.withThreads(threads != null ? threads : Runtime.getRuntime().availableProcessors())) {
            SelectionData sd = SelectionData.load(data, template, maxTokens, categoryField, rules);
            QuarantineReport.print("data", sd.samples().size() + " samples, " + sd.quarantined().size() + " lines quarantined", sd.quarantined(), out);
            if (sd.samples().isEmpty()) throw new IllegalArgumentException("no usable samples in " + data);
            checkScoringKey(device);
            TeleChat2 m = ModelIO.load(model, device); // heap weights: the per-sequence log-prob op reads the LM head as float[]
            TeleChat2 ft = finetuned != null ? ModelIO.load(finetuned, device) : null;
            int n = sd.samples().size();
            long[] last = {System.nanoTime()};
            ScoringPass.Summary s = ScoringPass.run(sd.samples(), m, ft, out, batch, tok.specials().pad().orElse(0), k -> {
                if (System.nanoTime() - last[0] > 10e9) {
                    System.err.printf("scored %d samples%n", k);
                    last[0] = System.nanoTime();
                }
            });
            System.err.printf("scores: %d computed (%.1f samples/s), %d already in %s%n", s.scored(), s.scored() / Math.max(s.seconds(), 1e-9), s.alreadyDone(),
                    out.resolve(ScoringPass.SCORES));
            Map<Long, AnswerStats> stats = ScoringPass.read(out);
            double[][] emb = clusters > 0 ? ScoringPass.embeddings(out, n, cfg.hiddenSize()) : null;
            Selection sel = Selection.of(sd.samples(), stats, emb, plan);
            SelectionReport.write(out, sd.samples(), sel, plan);
            System.err.printf("kept %d of %d samples in %s; every decision in %s; report in %s%n", sel.keptCount(), n, out.resolve("selected.jsonl"),
                    out.resolve("decisions.jsonl"), out.resolve("report.md"));
        }
        return 0;
    }

    /** Scores in {@code out} are reused only for the same scoring models; {@code scoring.json} records them. */
    private void checkScoringKey(CpuDevice device) throws java.io.IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode key = json.createObjectNode();
        key.put("model_crc32c", ModelChecksum.of(model));
        key.put("finetuned_crc32c", finetuned != null ? ModelChecksum.of(finetuned) : "");
        key.put("data", data.toString());
        Path f = out.resolve("scoring.json");
        if (overwrite) {
            Files.deleteIfExists(out.resolve(ScoringPass.SCORES));
            Files.deleteIfExists(out.resolve(ScoringPass.EMBEDDINGS));
        } else if (Files.isRegularFile(f) && Files.isRegularFile(out.resolve(ScoringPass.SCORES))) {
            JsonNode had = json.readTree(f.toFile());
            if (!had.equals(key)) {
                throw new IllegalArgumentException(out + " holds scores of other models or data (" + had + "); use another --out, or --overwrite to score again");
            }
        }
        AtomicFiles.write(f, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(key));
    }
}
