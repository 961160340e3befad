package wanka.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wanka.align.sft.SftDataset;
import wanka.align.sft.SftEval;
import wanka.io.AtomicFiles;
import wanka.model.ModelIO;
import wanka.model.TeleChat2;
import wanka.tensor.CpuDevice;
import wanka.tokenizer.ChatTemplate;
import wanka.tokenizer.Tokenizer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

@Command(name = "select-model", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Choose among model versions (checkpoints, SFT runs) by perplexity on a small validation set.",
                "Each model's loss is the mean per-token loss over every assistant token of --data (the SFT loss, prompts masked),",
                "PPL = exp(loss); the lowest wins. Prints the table and writes <out>/models.md, <out>/models.tsv and <out>/ppl.svg",
                "(PPL per model, in the order given). --run DIR adds every checkpoint of a run and its final model."},
        footer = {"", "Examples:",
                "  wanka select-model --run runs/sft --data val.jsonl --out runs/sft/choice",
                "  wanka select-model --models runs/sft-a/model,runs/sft-b/model,runs/lora/model --data val.jsonl --out runs/choice"})
final class SelectModelCommand implements Callable<Integer> {
    @Option(names = "--models", split = ",", paramLabel = "DIR", description = "Model directories to compare. Repeatable or comma-separated.")
    List<Path> models = new ArrayList<>();

    @Option(names = "--run", paramLabel = "DIR", description = "A run directory: its checkpoints/step-N (in step order) and its model/.")
    List<Path> runs = new ArrayList<>();

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Validation SFT JSONL. Repeatable.")
    List<Path> data = new ArrayList<>();

    @Option(names = "--tokenizer", paramLabel = "DIR", description = "Tokenizer with the chat tokens (default: the first model's directory).")
    Path tokenizer;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the table and the plot go.")
    Path out;

    @Option(names = "--seq", defaultValue = "4096", description = "Longest validation sample kept (default: ${DEFAULT-VALUE}).")
    int seq;

    @Option(names = "--batch", defaultValue = "8", description = "Samples per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--threads", description = "CPU threads (default: all cores).")
    Integer threads;

    /** One row of the table. */
    record Row(String name, Path dir, double loss) {
        double ppl() {
            return Math.exp(loss);
        }
    }

    @Override
    public Integer call() throws Exception {
        List<Path> all = new ArrayList<>(models);
        for (Path r : runs) {
            Path ck = r.resolve("checkpoints");
            if (Files.isDirectory(ck)) {
                try (Stream<Path> s = Files.list(ck)) {
                    s.filter(p -> p.getFileName().toString().matches("step-\\d{8}") && Files.isRegularFile(p.resolve("config.json"))).sorted().forEach(all::add);
                }
            }
            if (Files.isRegularFile(r.resolve("model/config.json"))) all.add(r.resolve("model"));
        }
        if (all.isEmpty()) throw new IllegalArgumentException("no models to compare: give --models DIR,... or --run DIR (with checkpoints holding full models)");
        Tokenizer tok = Corpora.loadTokenizer(tokenizer != null ? tokenizer : all.getFirst());
        ChatTemplate template = Corpora.chatTemplate(tok, tokenizer != null ? tokenizer : all.getFirst());
        SftDataset ds = SftDataset.load(data, template, seq);
        if (ds.samples().isEmpty()) throw new IllegalArgumentException("no usable validation samples in " + data);
        System.err.println("validation: " + ds.summary());
        Files.createDirectories(out);
        List<Row> rows = new ArrayList<>();
        try (CpuDevice device = CpuDevice.withThreads(threads != null ? threads : Runtime.getRuntime().availableProcessors())) {
            for (Path dir : all) {
                TeleChat2 m = ModelIO.loadForInference(dir, device);
                Path parent = dir.getParent();
                String name = parent != null && (dir.getFileName().toString().startsWith("step-") || dir.getFileName().toString().equals("model"))
                        ? (dir.getFileName().toString().startsWith("step-") ? parent.getParent().getFileName() + "/" + dir.getFileName() : parent.getFileName() + "/model")
                        : dir.getFileName().toString();
                rows.add(new Row(name, dir, SftEval.loss(m, ds.samples(), batch, tok.specials().pad().orElse(0))));
            }
        }
        Row best = rows.stream().min(java.util.Comparator.comparingDouble(Row::loss)).orElseThrow();
        StringBuilder md = new StringBuilder("| model | loss | PPL | vs best |\n|---|---:|---:|---:|\n"), tsv = new StringBuilder("model\tdir\tloss\tppl\n");
        for (Row r : rows) {
            md.append(String.format("| %s%s | %.4f | %.3f | %+.2f %% |%n", r.name(), r == best ? " **(best)**" : "", r.loss(), r.ppl(), 100 * (r.ppl() / best.ppl() - 1)));
            tsv.append(String.format("%s\t%s\t%.6f\t%.6f%n", r.name(), r.dir(), r.loss(), r.ppl()));
        }
        System.out.print(md);
        AtomicFiles.write(out.resolve("models.md"), md.toString().getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(out.resolve("models.tsv"), tsv.toString().getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(out.resolve("ppl.svg"), PplPlot.svg(rows.stream().map(Row::name).toList(), rows.stream().mapToDouble(Row::ppl).toArray(),
                "validation PPL on " + ds.samples().size() + " samples").getBytes(StandardCharsets.UTF_8));
        System.err.printf("best: %s (PPL %.3f); table in %s, plot in %s%n", best.dir(), best.ppl(), out.resolve("models.md"), out.resolve("ppl.svg"));
        return 0;
    }
}
