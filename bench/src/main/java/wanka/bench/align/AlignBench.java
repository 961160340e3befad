package wanka.bench.align;

import wanka.align.lora.LoraAdapters;
import wanka.align.lora.LoraConfig;
import wanka.align.lora.LoraTarget;
import wanka.align.pref.RewardModel;
import wanka.align.sft.SftBatch;
import wanka.align.sft.SftLoss;
import wanka.align.train.Objective;
import wanka.align.train.PostTrainOptions;
import wanka.align.train.PostTrainer;
import wanka.align.westofn.Prompt;
import wanka.align.westofn.WestOfN;
import wanka.model.Presets;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.model.generate.GenerationConfig;
import wanka.tensor.CpuDevice;
import wanka.tensor.Tensor;
import wanka.tokenizer.ChatTemplate;
import wanka.tokenizer.Tokenizer;
import wanka.tokenizer.bytelevel.PreTokenizerPattern;
import wanka.tokenizer.train.BpeTrainer;
import wanka.tokenizer.train.TrainerOptions;
import wanka.train.AdamWOptimizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Post-training throughput, each figure beside its peer in the same run (issue 11):
 * <ul>
 *   <li>SFT vs pre-training: the same model, the same batch × seq, the same optimizer loop ({@link PostTrainer}); the
 *       pre-training step is the plain next-token loss over every token, the SFT steps go through the SFT loss
 *       ({@link SftLoss}) on rows with every target kept (the pre-training shape exactly), with the prompt tokens (a third
 *       of each sample) masked, once padded (one sample per row) and once packed (samples of 64–192 tokens with
 *       segment-masked attention and positions restarting per sample). Tokens/s counts every input token of the batch,
 *       so the figures compare directly.</li>
 *   <li>LoRA (rank 8, every projection) vs full fine-tuning on the same SFT batches: step time, peak live tensor bytes of
 *       the device (weights, activations, gradients) and the AdamW moments (held beside the device's tensors).</li>
 *   <li>West-of-N sampling: the N responses of each prompt decoded together vs one at a time (same seeds, so the same
 *       responses), with a random reward model; sampled tokens/s.</li>
 * </ul>
 * A warm-up round is not counted; then {@code rounds} rounds run each variant in turn; step times are the median over the
 * rounds of all steps but each run's first.
 */
public final class AlignBench {
    private AlignBench() {
    }

    /**
     * One trained variant: median step seconds, tokens/s over all input tokens, and memory: the weights, the trainable
     * parameters' gradients, the AdamW moments and the activation peak (the most live tensor bytes above a step's start
     * seen in a step: activations saved for backward and the gradients flowing through them).
     */
    public record TrainResult(String variant, double stepSeconds, double tokensPerSecond, long weightBytes, long gradBytes, long optimizerBytes,
                              long activationPeakBytes, long trainableParams, int measuredSteps) {
        public long totalBytes() {
            return weightBytes + gradBytes + optimizerBytes + activationPeakBytes;
        }
    }

    /** What one run of a variant measured. */
    private record Run(List<Double> times, long activationPeak, long weightBytes, long gradBytes, long optimizerBytes, long params) {
    }

    /** West-of-N sampling in one mode. */
    public record SampleResult(String mode, long sampledTokens, double seconds, double tokensPerSecond, List<String> chosen) {
    }

    public record Result(String config, int batch, int seq, int threads, List<TrainResult> train, List<SampleResult> westOfN) {
        /** SFT's tokens/s over pre-training's (the target: within 10 %, i.e. >= 0.9). */
        public double sftOverPretrain(String sftVariant) {
            return find(sftVariant).tokensPerSecond() / find("pretrain").tokensPerSecond();
        }

        public TrainResult find(String variant) {
            return train.stream().filter(t -> t.variant().equals(variant)).findFirst().orElseThrow();
        }
    }

    public static Result run(String configName, int batch, int seq, int threads, int steps, int rounds, int wnPrompts, int wnN, int wnTokens, Consumer<String> log) throws IOException {
        TeleChat2Config c = Presets.get(configName).withSeqLen(Math.max(seq, Presets.get(configName).trainingSeqlen()));
        SplittableRandom r = new SplittableRandom(7);
        int[] in = new int[batch * seq], tg = new int[batch * seq];
        for (int i = 0; i < in.length; i++) in[i] = 10 + r.nextInt(c.vocabSize() - 10);
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seq; t++) tg[b * seq + t] = t + 1 < seq ? in[b * seq + t + 1] : in[b * seq];
        }
        SftBatch padded = padded(in, tg, batch, seq);
        SftBatch packed = packed(in, tg, batch, seq, r);
        LoraConfig lora = new LoraConfig(8, 16, 0, EnumSet.allOf(LoraTarget.class), 1);
        Map<String, Function<TeleChat2, Tensor>> variants = new LinkedHashMap<>();
        variants.put("pretrain", m -> m.loss(in, tg, batch, seq));
        SftBatch unmasked = new SftBatch(batch, seq, in.clone(), tg.clone(), null, null, batch);
        variants.put("sft-unmasked", m -> SftLoss.of(m, unmasked));
        variants.put("sft-padded", m -> SftLoss.of(m, padded));
        variants.put("sft-packed", m -> SftLoss.of(m, packed));
        variants.put("sft-lora-r8", m -> SftLoss.of(m, padded));
        Path tmp = Files.createTempDirectory("wanka-align-bench");
        try (CpuDevice device = CpuDevice.withThreads(threads)) {
            // A warm-up round (JIT) that is not counted, then rounds taking each variant in turn, so that the load of a
            // shared machine falls on all of them alike; each run's first step is not counted either.
            for (var v : variants.entrySet()) train(v.getKey(), c, device, 2, batch, seq, tmp, v.getKey().contains("lora") ? lora : null, v.getValue(), batch * seq, log);
            Map<String, List<Run>> runs = new LinkedHashMap<>();
            for (int round = 0; round < rounds; round++) {
                for (var v : variants.entrySet()) {
                    runs.computeIfAbsent(v.getKey(), k -> new ArrayList<>())
                            .add(train(v.getKey(), c, device, steps, batch, seq, tmp, v.getKey().contains("lora") ? lora : null, v.getValue(), batch * seq, log));
                }
            }
            List<TrainResult> train = new ArrayList<>();
            runs.forEach((name, rs) -> {
                List<Double> times = new ArrayList<>();
                rs.forEach(x -> times.addAll(x.times()));
                times.sort(Double::compare);
                double median = times.get(times.size() / 2);
                Run first = rs.getFirst();
                train.add(new TrainResult(name, median, batch * seq / median, first.weightBytes(), first.gradBytes(), first.optimizerBytes(),
                        rs.stream().mapToLong(Run::activationPeak).max().orElse(0), first.params(), times.size()));
            });
            List<SampleResult> wn = wnPrompts > 0 ? westOfN(device, wnPrompts, wnN, wnTokens, log) : List.of();
            return new Result(configName, batch, seq, threads, train, wn);
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    /** One sample per row: the first third of each row is prompt (masked), the rest answer. */
    static SftBatch padded(int[] in, int[] tg, int batch, int seq) {
        int[] t = tg.clone();
        for (int b = 0; b < batch; b++) Arrays.fill(t, b * seq, b * seq + seq / 3, -100);
        return new SftBatch(batch, seq, in.clone(), t, null, null, batch);
    }

    /** Rows packed with samples of 64–192 tokens (the last one fills the row), each a third prompt, segments and restarting positions. */
    static SftBatch packed(int[] in, int[] tg, int batch, int seq, SplittableRandom r) {
        int[] t = tg.clone(), pos = new int[batch * seq], seg = new int[batch * seq];
        int samples = 0;
        for (int b = 0; b < batch; b++) {
            int at = 0, id = 0;
            while (at < seq) {
                int len = Math.min(seq - at, 64 + r.nextInt(129));
                for (int k = 0; k < len; k++) {
                    int i = b * seq + at + k;
                    pos[i] = k;
                    seg[i] = id;
                    if (k < len / 3 || k == len - 1) t[i] = -100; // prompt, and no target across the sample boundary
                }
                at += len;
                id++;
                samples++;
            }
        }
        return new SftBatch(batch, seq, in.clone(), t, pos, seg, samples);
    }

    private static Run train(String variant, TeleChat2Config c, CpuDevice device, int steps, int batch, int seq, Path tmp, LoraConfig lora,
                             Function<TeleChat2, Tensor> loss, long tokensPerStep, Consumer<String> log) throws IOException {
        TeleChat2 model = TeleChat2.initialize(c, device, 0);
        long weightBytes = model.parameters().values().stream().mapToLong(t -> 4 * t.numel()).sum();
        LoraAdapters adapters = lora != null ? LoraAdapters.attach(model, lora, device) : null;
        Map<String, Tensor> trainable = adapters != null ? adapters.parameters() : model.parameters();
        if (adapters != null) weightBytes += trainable.values().stream().mapToLong(t -> 4 * t.numel()).sum();
        Objective objective = new Objective() {
            @Override
            public Micro micro(long step, int micro) {
                return new Micro(loss.apply(model), tokensPerStep, Map.of());
            }

            @Override
            public long dataTokens() {
                return tokensPerStep;
            }
        };
        Path out = tmp.resolve(variant + "-" + System.nanoTime());
        PostTrainOptions o = new PostTrainOptions(steps, 1, 1e-4, 1e-4, 0, "constant", 1.0, new AdamWOptimizer.Settings(0.9, 0.95, 1e-8, 0.0),
                0, out, 1, batch, seq);
        PostTrainer trainer = new PostTrainer(trainable, adapters != null ? adapters.roles() : model.parameterRoles(), objective, o, device,
                dir -> { }); // the final checkpoint holds only the optimizer state: the bench times steps, not saving
        List<Double> times = new ArrayList<>();
        long[] activation = {0};
        long[] t0 = {System.nanoTime()};
        long[] liveAtStart = {device.memory().liveBytes()};
        device.memory().resetPeak();
        trainer.run(l -> {
            long now = System.nanoTime();
            long act = device.memory().peakBytes() - liveAtStart[0];
            if (l.step() > 1) { // the first step: warm-up, and the step that allocates the gradients
                times.add((now - t0[0]) / 1e9);
                activation[0] = Math.max(activation[0], act);
            }
            log.accept(String.format("%s step %d: %.3f s, loss %.4f, activation peak %.1f MB", variant, l.step(), (now - t0[0]) / 1e9, l.loss(), act / 1e6));
            liveAtStart[0] = device.memory().liveBytes();
            device.memory().resetPeak();
            t0[0] = System.nanoTime();
        });
        long params = trainable.values().stream().mapToLong(Tensor::numel).sum();
        long optimizerBytes = trainer.optimizer().state().values().stream().mapToLong(a -> 4L * a.length).sum();
        return new Run(times, activation[0], weightBytes, 4 * params, optimizerBytes, params);
    }

    /** West-of-N on the nano preset over a tokenizer with the chat tokens, batched then one at a time. */
    private static List<SampleResult> westOfN(CpuDevice device, int prompts, int n, int maxNewTokens, Consumer<String> log) {
        String[] words = "the cat dog mat sat on what is a an answer question hello world you are helpful river stone light dark water fire".split(" ");
        SplittableRandom r = new SplittableRandom(0);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < 12; j++) sb.append(words[r.nextInt(words.length)]).append(' ');
            lines.add(sb.toString().strip());
        }
        Tokenizer tok = BpeTrainer.trainByteLevel(lines, new TrainerOptions.ByteLevel(1000, List.of("<|endoftext|>", "<_user>", "<_bot>", "<_system>", "<_end>"),
                PreTokenizerPattern.QWEN2, 16, 1));
        ChatTemplate template = ChatTemplate.telechat2(tok);
        TeleChat2Config c = Presets.get("nano").withVocabSize(tok.vocabSize());
        TeleChat2 policy = TeleChat2.initialize(c, device, 1);
        RewardModel rm = RewardModel.create(TeleChat2.initialize(c, device, 2), device, 3);
        policy.parameters().values().forEach(t -> t.requiresGrad(false));
        rm.model().parameters().values().forEach(t -> t.requiresGrad(false));
        // Prompt by prompt, batched then one at a time, so that the load of a shared machine falls on both alike.
        GenerationConfig gc = new GenerationConfig(maxNewTokens, 1.0, 0, 1.0, 1.0, java.util.Set.of(), 0);
        WestOfN[] modes = {new WestOfN(policy, rm, template, gc, n, true), new WestOfN(policy, rm, template, gc, n, false)};
        long[] tokens = new long[2];
        double[] secs = new double[2];
        List<List<String>> chosen = List.of(new ArrayList<>(), new ArrayList<>());
        try (var ignored = device.noGrad()) {
            for (int p = -1; p < prompts; p++) { // prompt -1: warm-up, not counted
                StringBuilder q = new StringBuilder();
                for (int j = 0; j < 6; j++) q.append(words[(Math.abs(p) * 5 + j * 3) % words.length]).append(' ');
                Prompt prompt = new Prompt(Math.max(p, 0), Path.of("bench"), p + 2, List.of(new ChatTemplate.Message(ChatTemplate.Role.USER, q.toString().strip())));
                for (int m = 0; m < 2; m++) {
                    WestOfN.Outcome o = modes[m].run(prompt);
                    if (p < 0) continue;
                    tokens[m] += o.sampledTokens();
                    secs[m] += o.sampleSeconds();
                    chosen.get(m).add(o.best() == null ? "" : o.best().text());
                }
            }
        } catch (wanka.align.sft.BadSampleException e) {
            throw new IllegalStateException(e);
        }
        List<SampleResult> out = new ArrayList<>();
        for (int m = 0; m < 2; m++) {
            String mode = m == 0 ? "batched" : "one-at-a-time";
            log.accept(String.format("west-of-n %s: %d tokens in %.2f s", mode, tokens[m], secs[m]));
            out.add(new SampleResult(mode, tokens[m], secs[m], tokens[m] / secs[m], chosen.get(m)));
        }
        return out;
    }

    /** Prints the result as a table. */
    public static String table(Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("config %s, batch %d x seq %d, %d threads%n", r.config(), r.batch(), r.seq(), r.threads()));
        sb.append(String.format("%-12s %7s %8s %9s %11s %10s %9s %11s %9s %12s %6s%n", "variant", "step s", "tokens/s", "vs pretr.", "weights MB", "grads MB",
                "AdamW MB", "activ. MB", "total MB", "trainable", "steps"));
        for (TrainResult t : r.train()) {
            sb.append(String.format("%-12s %7.3f %8.0f %9.3f %11.1f %10.1f %9.1f %11.1f %9.1f %,12d %6d%n", t.variant(), t.stepSeconds(), t.tokensPerSecond(),
                    t.tokensPerSecond() / r.find("pretrain").tokensPerSecond(), t.weightBytes() / 1e6, t.gradBytes() / 1e6, t.optimizerBytes() / 1e6,
                    t.activationPeakBytes() / 1e6, t.totalBytes() / 1e6, t.trainableParams(), t.measuredSteps()));
        }
        for (SampleResult s : r.westOfN()) {
            sb.append(String.format("west-of-n %-14s %,8d sampled tokens in %7.2f s: %7.1f tokens/s%n", s.mode(), s.sampledTokens(), s.seconds(), s.tokensPerSecond()));
        }
        if (r.westOfN().size() == 2) {
            sb.append(String.format("west-of-n batched / one at a time: %.2fx; same chosen responses: %s%n", r.westOfN().get(0).tokensPerSecond() / r.westOfN().get(1).tokensPerSecond(),
                    r.westOfN().get(0).chosen().equals(r.westOfN().get(1).chosen())));
        }
        return sb.toString();
    }
}
