package wanka.bench.train;

import wanka.model.Presets;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.tensor.CpuDevice;
import wanka.tensor.Tensor;
import wanka.train.AdamWOptimizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Training throughput on the peer benchmark's shapes (shared/bench/torch_telechat.py): the same model sizes,
 * batch and sequence, random token ids, AdamW, FP32. Reports the median step time of all steps but the
 * first (warm-up), tokens/s and model GFLOP/s counted as the peer counts them (6·N_matmul + 12·L·d·s per token).
 */
public final class TrainBench {
    private TrainBench() {
    }

    /** The peer's (batch, seq) for each config. */
    public static final Map<String, int[]> SHAPES = Map.of("tiny", new int[]{8, 256}, "small", new int[]{4, 512}, "base", new int[]{2, 1024});

    public record Result(String impl, String config, int threads, long params, double stepSeconds, double tokensPerSecond,
                         double modelGflops, double loss, Map<String, Double> phaseSeconds) {
    }

    public static Result run(String configName, int threads, int steps, Consumer<String> log) {
        int[] bs = SHAPES.get(configName);
        if (bs == null) throw new IllegalArgumentException("unknown bench config '" + configName + "' (tiny, small, base)");
        TeleChat2Config c = Presets.get(configName);
        int batch = bs[0], seq = bs[1];
        try (CpuDevice device = CpuDevice.withThreads(threads)) {
            TeleChat2 model = TeleChat2.initialize(c, device, 0);
            AdamWOptimizer opt = new AdamWOptimizer(model, new AdamWOptimizer.Settings(0.9, 0.999, 1e-8, 0.01), device);
            SplittableRandom r = new SplittableRandom(0);
            int[] x = new int[batch * (seq + 1)];
            for (int i = 0; i < x.length; i++) x[i] = r.nextInt(c.vocabSize());
            int[] in = new int[batch * seq], tg = new int[batch * seq];
            for (int b = 0; b < batch; b++) {
                System.arraycopy(x, b * (seq + 1), in, b * seq, seq);
                System.arraycopy(x, b * (seq + 1) + 1, tg, b * seq, seq);
            }
            List<Double> times = new ArrayList<>();
            double fwd = 0, bwd = 0, upd = 0, loss = 0;
            for (int s = 0; s < steps; s++) {
                long t0 = System.nanoTime();
                Tensor l = model.loss(in, tg, batch, seq);
                long t1 = System.nanoTime();
                l.backward();
                long t2 = System.nanoTime();
                opt.step(3e-4);
                opt.zeroGrad();
                long t3 = System.nanoTime();
                loss = l.item();
                times.add((t3 - t0) / 1e9);
                if (s > 0) {
                    fwd += (t1 - t0) / 1e9;
                    bwd += (t2 - t1) / 1e9;
                    upd += (t3 - t2) / 1e9;
                }
                log.accept(String.format("step %d: %.3f s, loss %.4f", s, (t3 - t0) / 1e9, loss));
            }
            List<Double> rest = new ArrayList<>(times.subList(1, times.size()));
            rest.sort(Double::compare);
            double median = rest.get(rest.size() / 2);
            double tps = batch * seq / median;
            int n = steps - 1;
            return new Result("wanka", configName, threads, c.parameterCount(), median, tps, tps * c.flopsPerToken(seq) / 1e9, loss,
                    Map.of("forward_incl_lm_head_grad", fwd / n, "backward", bwd / n, "optimizer", upd / n));
        }
    }
}
