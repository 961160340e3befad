package wanka.bench.tensor;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.SplittableRandom;
import wanka.tensor.cpu.Attention;
import wanka.tensor.cpu.AttentionOperand;
import wanka.tensor.cpu.AttentionShape;
import wanka.tensor.cpu.CpuPool;

/**
 * Rough speed check of {@link Attention} (not a unit test). Prints one JSON line per config and
 * pass with the median time and GFLOP/s, counting causal FLOPs: forward {@code 2*2*B*H*S^2*D/2},
 * backward 2.5 times that. Arguments: {@code [threads] [configs, comma-separated: tiny,small]}.
 */
public final class AttentionBench {

    private record Config(String name, int batch, int seq, int heads, int kvHeads, int dim) {
    }

    private AttentionBench() {
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
        String wanted = args.length > 1 ? args[1] : "tiny,small";
        Config[] configs = {new Config("tiny", 8, 256, 8, 2, 32), new Config("small", 4, 512, 8, 2, 64)};
        try (CpuPool pool = CpuPool.ofThreads(threads)) {
            for (Config c : configs) {
                if (Arrays.asList(wanted.split(",")).contains(c.name())) run(pool, c);
            }
        }
    }

    private static void run(CpuPool pool, Config c) {
        AttentionShape s = AttentionShape.training(c.batch(), c.heads(), c.kvHeads(), c.dim(), c.seq());
        SplittableRandom rnd = new SplittableRandom(1);
        int qSize = c.batch() * c.seq() * c.heads() * c.dim();
        float[] qd = random(rnd, qSize), kv = random(rnd, c.batch() * c.seq() * c.kvHeads() * 2 * c.dim());
        float[] od = new float[qSize], gd = random(rnd, qSize), dqd = new float[qSize], dkv = new float[kv.length];
        float[] lse = new float[s.lseLength()];
        AttentionOperand q = AttentionOperand.contiguous(qd, c.seq(), c.heads(), c.dim());
        AttentionOperand out = AttentionOperand.contiguous(od, c.seq(), c.heads(), c.dim());
        AttentionOperand dOut = AttentionOperand.contiguous(gd, c.seq(), c.heads(), c.dim());
        AttentionOperand dq = AttentionOperand.contiguous(dqd, c.seq(), c.heads(), c.dim());
        AttentionOperand k = AttentionOperand.interleavedKeys(kv, c.seq(), c.kvHeads(), c.dim());
        AttentionOperand v = AttentionOperand.interleavedValues(kv, c.seq(), c.kvHeads(), c.dim());
        AttentionOperand dk = AttentionOperand.interleavedKeys(dkv, c.seq(), c.kvHeads(), c.dim());
        AttentionOperand dv = AttentionOperand.interleavedValues(dkv, c.seq(), c.kvHeads(), c.dim());

        double fwdFlops = 2.0 * c.batch() * c.heads() * (double) c.seq() * c.seq() * c.dim();
        int reps = 25;
        double[] fwd = new double[reps], bwd = new double[reps], fwdCpu = new double[reps], bwdCpu = new double[reps];
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        for (int warm = 0; warm < 10; warm++) {
            Attention.forward(pool, s, q, k, v, out, lse);
            Attention.backward(pool, s, q, k, v, out, dOut, lse, dq, dk, dv);
        }
        for (int r = 0; r < reps; r++) {
            long c0 = cpu.getCurrentThreadCpuTime(), t0 = System.nanoTime();
            Attention.forward(pool, s, q, k, v, out, lse);
            long c1 = cpu.getCurrentThreadCpuTime(), t1 = System.nanoTime();
            Attention.backward(pool, s, q, k, v, out, dOut, lse, dq, dk, dv);
            long c2 = cpu.getCurrentThreadCpuTime(), t2 = System.nanoTime();
            fwd[r] = (t1 - t0) / 1e9;
            bwd[r] = (t2 - t1) / 1e9;
            fwdCpu[r] = (c1 - c0) / 1e9;
            bwdCpu[r] = (c2 - c1) / 1e9;
        }
        print(c, "forward", pool.threads(), median(fwd), median(fwdCpu), fwdFlops);
        print(c, "backward", pool.threads(), median(bwd), median(bwdCpu), 2.5 * fwdFlops);
    }

    /** With one thread everything runs on the caller, so its CPU time ignores time lost to other processes. */
    private static void print(Config c, String pass, int threads, double seconds, double cpuSeconds, double flops) {
        String cpu = threads == 1
                ? String.format(",\"cpuMs\":%.3f,\"cpuGflops\":%.2f", cpuSeconds * 1e3, flops / cpuSeconds / 1e9) : "";
        System.out.printf("{\"bench\":\"attention\",\"config\":\"%s\",\"pass\":\"%s\",\"threads\":%d,"
                        + "\"B\":%d,\"S\":%d,\"H\":%d,\"KV\":%d,\"D\":%d,\"ms\":%.3f,\"gflops\":%.2f%s}%n",
                c.name(), pass, threads, c.batch(), c.seq(), c.heads(), c.kvHeads(), c.dim(),
                seconds * 1e3, flops / seconds / 1e9, cpu);
    }

    private static double median(double[] x) {
        double[] y = x.clone();
        Arrays.sort(y);
        return y[y.length / 2];
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
        return x;
    }
}
