package wanka.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wanka.align.pref.RewardModel;
import wanka.align.westofn.PromptFile;
import wanka.align.westofn.WestOfN;
import wanka.align.westofn.WestOfNFile;
import wanka.model.ModelIO;
import wanka.model.TeleChat2;
import wanka.model.generate.GenerationConfig;
import wanka.tensor.CpuDevice;
import wanka.tokenizer.ChatTemplate;
import wanka.tokenizer.Tokenizer;
import wanka.train.RunDirectory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "west-of-n", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"West-of-N preference pairs: for each prompt sample N responses from the policy, score them with the reward model,",
                "and keep the best (chosen) against the worst (rejected), with confidence = sigmoid(r_best - r_worst).",
                "The N samples of a prompt are decoded together (one prefill, KV caches copied, batched steps); sample i of prompt k is seeded",
                "--seed + k*N + i, so results do not depend on batching or on where a run was resumed.",
                "Prompts: JSONL {\"prompt\": \"...\"} (or a message list), Alpaca {\"instruction\"} or any SFT layout (cut after the last user turn).",
                "Writes <out>/pairs.jsonl, one line per prompt as it finishes (readable by 'wanka dpo --data'); prompts whose N rewards tie go",
                "to <out>/pairs.skipped.jsonl. Rerunning into the same <out> continues: prompts already written are skipped.",
                "Prints the sampling throughput (tokens/s); --one-at-a-time samples sequentially with the same seeds, to compare."},
        footer = {"", "Examples:",
                "  wanka west-of-n --policy runs/sft/model --reward runs/rm/model --prompts prompts.jsonl --out runs/wn --n 12",
                "  wanka west-of-n --policy P --reward R --prompts p.jsonl --out runs/wn --n 10 --temperature 0.8 --top-p 0.95 --max-new-tokens 128",
                "  wanka dpo --model runs/sft/model --data runs/wn/pairs.jsonl --min-confidence 0.6 --out runs/dpo"})
final class WestOfNCommand implements Callable<Integer> {
    @Option(names = "--policy", required = true, paramLabel = "DIR", description = "HF model directory that samples the responses.")
    Path policy;

    @Option(names = "--reward", required = true, paramLabel = "DIR", description = "Reward model directory from 'wanka rm' (HF directory + reward_head.safetensors).")
    Path reward;

    @Option(names = "--tokenizer", paramLabel = "DIR", description = "Tokenizer directory (default: the --policy directory).")
    Path tokenizer;

    @Option(names = "--prompts", required = true, paramLabel = "FILE", description = "JSONL prompts. Repeatable.")
    List<Path> prompts = new ArrayList<>();

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (locked while the run lasts; a rerun continues it).")
    Path out;

    @Option(names = "--n", defaultValue = "12", description = "Responses per prompt; TeleChat2 uses 10-15 (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--max-new-tokens", defaultValue = "128", description = "Longest response (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature, > 0 (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "Sample among the k most likely tokens; 0 = off (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus sampling threshold (default: ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--seed", defaultValue = "0", description = "Base sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--one-at-a-time", description = "Sample the N responses sequentially instead of together (same results; for the throughput comparison).")
    boolean oneAtATime;

    @Option(names = "--threads", description = "CPU threads (default: all cores).")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        GenerationConfig gc = new GenerationConfig(maxNewTokens, temperature, topK, topP, 1.0, Set.of(), seed);
        if (n < 2) throw new IllegalArgumentException("--n must be >= 2 (a best and a worst response), got " + n);
        if (temperature == 0) throw new IllegalArgumentException("--temperature must be > 0: greedy decoding gives N identical responses");
        OutDirs.require("--out", out);
        Tokenizer tok = Corpora.loadTokenizer(tokenizer != null ? tokenizer : policy);
        ChatTemplate template = Corpora.chatTemplate(tok, tokenizer != null ? tokenizer : policy);
        try (RunDirectory run = RunDirectory.open(out, RunDirectory.Start.RESUME, System.err::println);
             CpuDevice device = CpuDevice.withThreads(threads != null ? threads : Runtime.getRuntime().availableProcessors())) {
            PromptFile pf = PromptFile.load(prompts);
            QuarantineReport.print("prompts", pf.prompts().size() + " usable, " + pf.quarantined().size() + " lines quarantined", pf.quarantined(), out);
            RewardModel rm = RewardModel.load(reward, device);
            TeleChat2 pol = ModelIO.load(policy, device);
            WestOfN wn = new WestOfN(pol, rm, template, gc, n, !oneAtATime);
            Path pairs = out.resolve("pairs.jsonl");
            int[] done = {0};
            WestOfNFile.Summary s = WestOfNFile.run(pf.prompts(), wn, pairs, o -> {
                done[0]++;
                if (done[0] <= 3 || done[0] % 20 == 0) {
                    System.err.printf("prompt %d: %s%n", o.prompt().index(), o.best() == null ? "all rewards tie, skipped"
                            : String.format("reward %.3f vs %.3f, confidence %.3f", o.best().reward(), o.worst().reward(), o.confidence()));
                }
            });
            System.err.printf("done: %d pairs, %d ties, %d prompts already in %s; sampled %,d tokens at %.1f tokens/s (%s)%n", s.pairs(), s.ties(), s.alreadyDone(), pairs,
                    s.sampledTokens(), s.tokensPerSecond(), oneAtATime ? "one at a time" : "batched, " + n + " per prompt");
        }
        return 0;
    }
}
