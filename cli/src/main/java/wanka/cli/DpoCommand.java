package wanka.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import wanka.align.lora.LoraAdapters;
import wanka.align.lora.LoraConfig;
import wanka.align.pref.DpoLoss;
import wanka.align.pref.DpoObjective;
import wanka.align.pref.LabelledPairs;
import wanka.align.pref.ModelChecksum;
import wanka.align.pref.PairBatch;
import wanka.align.pref.PreferenceDataset;
import wanka.align.pref.PreferenceLoss;
import wanka.align.pref.PreferencePair;
import wanka.align.pref.ReferenceLogProbs;
import wanka.align.train.PostTrainOptions;
import wanka.align.train.PostTrainer;
import wanka.align.train.RandomState;
import wanka.model.ModelIO;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.tensor.CpuDevice;
import wanka.tokenizer.ChatTemplate;
import wanka.tokenizer.Tokenizer;
import wanka.train.RunDirectory;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "dpo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Direct preference optimisation with an NLL term on the chosen response:",
                "L = loss(z; beta) + alpha * NLL(chosen),  z = (log pi(y_c) - log ref(y_c)) - (log pi(y_r) - log ref(y_r)),",
                "loss = -log sigmoid(beta z) (sigmoid), (z - 1/(2 beta))^2 (ipo) or max(0, 1 - beta z) (hinge); NLL is the chosen",
                "response's mean per-token negative log-likelihood. The reference log-probs are computed once and cached in --ref-cache,",
                "keyed by the reference model's checksum and the data, so a rerun (e.g. with --overwrite and another beta) reuses them.",
                "Data as for 'wanka rm' (pairs, messages-style pairs, graded responses, or 'wanka west-of-n' output); bad lines go to",
                "<out>/quarantine.jsonl. Logs dpo, nll, rewards_chosen/rejected (beta·log-ratio), rewards_margin and rewards_accuracy",
                "per step in <out>/metrics.jsonl; saves the policy as <out>/model, which 'wanka generate'/'chat' load.",
                "With --lora-rank only adapters on the policy train (the reference is the frozen base, so no second copy is loaded);",
                "<out>/adapter holds them, --merge also writes <out>/model. --resume auto continues an interrupted run."},
        footer = {"", "Examples:",
                "  wanka dpo --model runs/sft/model --data runs/wn/pairs.jsonl --out runs/dpo --beta 0.1 --nll-alpha 1 --steps 100",
                "  wanka dpo --model runs/sft/model --ref runs/sft/model --data pairs.jsonl --loss ipo --beta 0.5 --out runs/ipo",
                "  wanka chat --model runs/dpo/model"})
final class DpoCommand implements Callable<Integer> {
    @Mixin
    PostTrainFlags flags = new PostTrainFlags();

    @Mixin
    LoraOptions loraOptions = new LoraOptions();

    @Option(names = "--merge", description = "With --lora-rank: also fold the adapters into the weights and save <out>/model.")
    boolean merge;

    @Option(names = "--ref", paramLabel = "DIR", description = "Reference model directory (default: the --model directory, the usual choice).")
    Path ref;

    @Option(names = "--beta", defaultValue = "0.1", description = "DPO temperature beta (default: ${DEFAULT-VALUE}).")
    double beta;

    @Option(names = "--nll-alpha", defaultValue = "1.0", description = "Weight alpha of the NLL term on the chosen response; 0 = plain DPO (default: ${DEFAULT-VALUE}, as Iterative RPO).")
    double nllAlpha;

    @Option(names = "--loss", defaultValue = "sigmoid", description = "sigmoid, ipo or hinge (default: ${DEFAULT-VALUE}).")
    String loss;

    @Option(names = "--min-confidence", defaultValue = "0", description = "Keep only pairs whose 'confidence' (West-of-N's sigmoid of the reward gap) is at least this; pairs without one are kept (default: ${DEFAULT-VALUE}).")
    double minConfidence;

    @Option(names = "--ref-cache", paramLabel = "FILE", description = "Where the reference log-probs are cached (default: <out>/reference_logps.json).")
    Path refCache;

    @Override
    public Integer call() throws Exception {
        PostTrainFlags.Start start = flags.start();
        TeleChat2Config cfg = start.cfg();
        int seq = start.seq();
        PostTrainOptions opts = start.options();
        DpoLoss dpo = new DpoLoss(beta, nllAlpha, PreferenceLoss.parse(loss));
        LoraConfig lora = loraOptions.config(flags.seed);
        if (merge && lora == null) throw new IllegalArgumentException("--merge needs --lora-rank (full fine-tuning already saves the whole model)");
        Path refDir = ref != null ? ref : flags.model;
        Tokenizer tok = Corpora.loadTokenizer(flags.tokenizerDir());
        ChatTemplate template = Corpora.chatTemplate(tok, flags.tokenizerDir());
        int pad = tok.specials().pad().orElse(0);
        try (RunDirectory run = flags.lock(); CpuDevice device = flags.device()) {
            PreferenceDataset ds = PreferenceDataset.load(flags.data, new LabelledPairs(0, 0), template, seq);
            QuarantineReport.print("data", ds.summary(), ds.quarantined(), flags.out);
            List<PreferencePair> pairs = ds.pairs().stream().filter(p -> Double.isNaN(p.confidence()) || p.confidence() >= minConfidence).toList();
            if (pairs.size() < ds.pairs().size()) System.err.printf("--min-confidence %.3f keeps %d of %d pairs%n", minConfidence, pairs.size(), ds.pairs().size());
            if (pairs.isEmpty()) throw new IllegalArgumentException("no usable pairs in " + flags.data + "; see " + flags.out.resolve("quarantine.jsonl"));
            List<PairBatch> batches = DpoObjective.batches(pairs, template, flags.batch, seq, pad);
            // The policy is loaded first: when the reference is the starting model (no --ref), it computes the reference
            // log-probs itself before any step, so no second copy of the model is ever loaded.
            TeleChat2 policy = ModelIO.load(flags.model, device);
            ReferenceLogProbs refs = ReferenceLogProbs.cached(refCache != null ? refCache : flags.out.resolve("reference_logps.json"), ModelChecksum.of(refDir), batches,
                    () -> {
                        if (ref == null) return policy;
                        TeleChat2 r = ModelIO.load(refDir, device);
                        r.parameters().values().forEach(t -> t.requiresGrad(false));
                        return r;
                    }, System.err::println);
            LoraAdapters adapters = lora != null ? LoraOptions.attach(policy, lora, device) : null;
            PostTrainer.Saver saver = adapters != null ? dir -> adapters.save(dir, flags.model.toString()) : dir -> ModelIO.save(policy, dir);
            PostTrainer trainer = new PostTrainer(adapters != null ? adapters.parameters() : policy.parameters(), adapters != null ? adapters.roles() : policy.parameterRoles(),
                    new DpoObjective(policy, batches, refs, dpo, opts.gradAccum()), opts, device, saver, adapters != null ? adapters : RandomState.NONE);
            flags.resume(trainer);
            PostTrainer.StepLog last = trainer.run(flags.progress());
            if (adapters != null) {
                PostTrainFlags.writeDir(flags.out.resolve("adapter"), saver);
                System.err.println("adapter saved to " + flags.out.resolve("adapter"));
            }
            if (adapters == null || merge) {
                TeleChat2 merged = adapters != null ? adapters.merge(device) : policy;
                PostTrainFlags.writeDir(flags.out.resolve("model"), dir -> {
                    ModelIO.save(merged, dir);
                    Corpora.copyTokenizer(flags.tokenizerDir(), dir);
                });
            }
            System.err.printf("done: final loss %.4f (margin %.4f, accuracy %.3f); policy saved to %s%n", last.loss(), last.metrics().get("rewards_margin"),
                    last.metrics().get("rewards_accuracy"), flags.out.resolve(adapters != null && !merge ? "adapter" : "model"));
        }
        return 0;
    }
}
