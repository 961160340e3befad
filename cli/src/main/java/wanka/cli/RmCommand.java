package wanka.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import wanka.align.lora.LoraAdapters;
import wanka.align.lora.LoraConfig;
import wanka.align.pref.BradleyTerry;
import wanka.align.pref.LabelledPairs;
import wanka.align.pref.PreferenceDataset;
import wanka.align.pref.RewardModel;
import wanka.align.pref.RewardObjective;
import wanka.align.train.PostTrainOptions;
import wanka.align.train.PostTrainer;
import wanka.align.train.RandomState;
import wanka.model.ModelIO;
import wanka.model.ParamRole;
import wanka.model.TeleChat2Config;
import wanka.tensor.CpuDevice;
import wanka.tensor.Tensor;
import wanka.tokenizer.ChatTemplate;
import wanka.tokenizer.Tokenizer;
import wanka.train.RunDirectory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "rm", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a reward model: TeleChat2 with a scalar head read at the response's last token, Bradley-Terry loss",
                "L = -log sigmoid(r_chosen - r_rejected - margin) + center * (r_chosen + r_rejected)^2.",
                "Data: JSONL preference pairs {\"prompt\", \"chosen\", \"rejected\"} (or messages-style chosen/rejected lists), or graded",
                "responses {\"prompt\", \"responses\": [{\"response\", \"label\": \"high\"|\"mid\"|\"low\"}]}, which give the pairs high>mid,",
                "high>low, mid>low with --margin-small / --margin-large. Bad lines go to <out>/quarantine.jsonl with file, line and reason.",
                "Starts from a language model (fresh head) or a reward model directory (its head). Saves <out>/model: the HF directory plus",
                "reward_head.safetensors, which 'wanka west-of-n --reward' reads; pairwise accuracy on --eval pairs before and after.",
                "With --lora-rank only adapters and the head train; <out>/adapter holds them (PEFT layout + reward_head.safetensors) and",
                "<out>/model the merged reward model. --resume auto continues an interrupted run from its newest checkpoint that verifies."},
        footer = {"", "Examples:",
                "  wanka rm --model runs/sft/model --data graded.jsonl --eval graded-val.jsonl --out runs/rm --steps 200 --lr 1e-5",
                "  wanka rm --model runs/sft/model --data pairs.jsonl --center 0.01 --margin-small 0.33 --margin-large 0.67 --out runs/rm"})
final class RmCommand implements Callable<Integer> {
    @Mixin
    PostTrainFlags flags = new PostTrainFlags();

    @Mixin
    LoraOptions loraOptions = new LoraOptions();

    @Option(names = "--center", defaultValue = "0", description = "Reward centring coefficient (Eisenstein et al. suggest 0.01; default: ${DEFAULT-VALUE}).")
    double center;

    @Option(names = "--margin-small", defaultValue = "0", description = "Margin of graded pairs one grade apart (high>mid, mid>low) (default: ${DEFAULT-VALUE}).")
    double marginSmall;

    @Option(names = "--margin-large", defaultValue = "0", description = "Margin of graded pairs two grades apart (high>low) (default: ${DEFAULT-VALUE}).")
    double marginLarge;

    @Option(names = "--eval", paramLabel = "FILE", description = "Held-out preference JSONL: pairwise accuracy before and after training.")
    List<Path> eval = new java.util.ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PostTrainFlags.Start start = flags.start();
        TeleChat2Config cfg = start.cfg();
        int seq = start.seq();
        PostTrainOptions opts = start.options();
        LoraConfig lora = loraOptions.config(flags.seed);
        BradleyTerry bt = new BradleyTerry(center);
        LabelledPairs margins = new LabelledPairs(marginSmall, marginLarge);
        Tokenizer tok = Corpora.loadTokenizer(flags.tokenizerDir());
        ChatTemplate template = Corpora.chatTemplate(tok, flags.tokenizerDir());
        int pad = tok.specials().pad().orElse(0);
        try (RunDirectory run = flags.lock(); CpuDevice device = flags.device()) {
            PreferenceDataset ds = PreferenceDataset.load(flags.data, margins, template, seq);
            QuarantineReport.print("data", ds.summary(), ds.quarantined(), flags.out);
            if (ds.pairs().isEmpty()) throw new IllegalArgumentException("no usable pairs in " + flags.data + "; see " + flags.out.resolve("quarantine.jsonl"));
            PreferenceDataset evalSet = eval.isEmpty() ? null : PreferenceDataset.load(eval, margins, template, seq);
            Map<Path, PreferenceDataset> evalFiles = new LinkedHashMap<>(); // with several --eval files, each one's accuracy too
            if (eval.size() > 1) for (Path f : eval) evalFiles.put(f, PreferenceDataset.load(List.of(f), margins, template, seq));
            RewardModel rm = Files.isRegularFile(flags.model.resolve(RewardModel.HEAD_FILE)) ? RewardModel.load(flags.model, device)
                    : RewardModel.create(ModelIO.load(flags.model, device), device, flags.seed);
            if (evalSet != null) evalAccuracy("before", rm, evalSet, evalFiles, template, seq, pad);
            LoraAdapters adapters = lora != null ? LoraOptions.attach(rm.model(), lora, device) : null;
            Map<String, Tensor> params = new LinkedHashMap<>(adapters != null ? adapters.parameters() : rm.model().parameters());
            params.put(RewardModel.HEAD, rm.score());
            Map<String, ParamRole> roles = new LinkedHashMap<>(adapters != null ? adapters.roles() : rm.model().parameterRoles());
            roles.put(RewardModel.HEAD, ParamRole.HEAD);
            PostTrainer.Saver saver = adapters == null ? rm::save : dir -> {
                adapters.save(dir, flags.model.toString());
                rm.saveHead(dir);
            };
            PostTrainer trainer = new PostTrainer(params, roles, new RewardObjective(rm, bt, ds.pairs(), template, flags.batch, seq, pad, opts.gradAccum()),
                    opts, device, saver, adapters != null ? adapters : RandomState.NONE);
            flags.resume(trainer);
            PostTrainer.StepLog last = trainer.run(flags.progress());
            System.err.printf("train accuracy: %.3f%n", RewardObjective.accuracy(rm, ds.pairs(), template, seq, pad));
            if (evalSet != null) evalAccuracy("after", rm, evalSet, evalFiles, template, seq, pad);
            if (adapters != null) {
                PostTrainFlags.writeDir(flags.out.resolve("adapter"), saver);
                System.err.println("adapter and head saved to " + flags.out.resolve("adapter"));
                adapters.merge(device);
            }
            PostTrainFlags.writeDir(flags.out.resolve("model"), dir -> {
                rm.save(dir);
                Corpora.copyTokenizer(flags.tokenizerDir(), dir);
            });
            System.err.printf("done: final loss %.4f; reward model saved to %s%n", last.loss(), flags.out.resolve("model"));
        }
        return 0;
    }

    /** Pairwise accuracy on all --eval pairs, then on each file's when there are several. */
    private static void evalAccuracy(String when, RewardModel rm, PreferenceDataset all, Map<Path, PreferenceDataset> files, ChatTemplate template, int seq,
                                     int pad) throws wanka.align.sft.BadSampleException {
        System.err.printf("eval accuracy %s: %.3f (%d pairs)%n", when, RewardObjective.accuracy(rm, all.pairs(), template, seq, pad), all.pairs().size());
        for (var e : files.entrySet()) {
            if (e.getValue().pairs().isEmpty()) continue;
            System.err.printf("eval accuracy %s %s: %.3f (%d pairs)%n", when, e.getKey().getFileName(),
                    RewardObjective.accuracy(rm, e.getValue().pairs(), template, seq, pad), e.getValue().pairs().size());
        }
    }

}
