package wanka.plan;

import java.util.List;
import java.util.TreeSet;

/**
 * The rates of wanka's CPU kernels measured per op class and shape by {@code wanka plan calibrate} (a profiling
 * simulator's table, as vTrain profiles every op it prices): GEMM FLOP/s of {@code Gemm.sgemm} on a grid of (m, n, k)
 * for each transpose form, attention FLOP/s of the forward and of the backward kernel at a grid of sequence lengths and
 * head dimensions, the byte rate of an element-wise kernel, of allocating zeroed tensors, and the parameters per second
 * of the optimizer pass (gradient scaling, norm and the AdamW update). The time model looks each traced op up at its
 * own shape ({@link #gemm}, {@link #attentionForward}); between grid points the rate is interpolated linearly in the
 * logarithms of the sizes and of the rate, outside the grid it is the rate at the nearest edge.
 *
 * @param gemm                      the GEMM grid (every form on the same m, n and k values)
 * @param attention                 the attention grid
 * @param elementwise               bytes read plus written per second by an element-wise kernel (SwiGLU forward) by the
 *                                  size of its tensors (in cache, in the shared cache, in memory): {@link #elementwise(double)}
 * @param allocationBytesPerSecond  bytes per second of allocating zeroed float tensors and letting them go (what every
 *                                  op's output and every gradient costs before the kernel runs)
 * @param optimizerParamsPerSecond  parameters per second of the optimizer pass over flat fp32 arrays
 * @param drift                     how long a rank waits at a blocking collective for the others after they all computed
 *                                  the same work c, beyond the collective's own α-β time, while the profile's ranks share
 *                                  the machine (cores shared with each other and with GC and JIT threads): measured at two
 *                                  compute lengths ({@link #waitAfter}); empty for one rank
 */
public record CpuRates(List<Gemm> gemm, List<Attention> attention, List<Elementwise> elementwise,
                       double allocationBytesPerSecond, double optimizerParamsPerSecond, List<Drift> drift) {
    /** One GEMM of the grid: {@code form} NT, NN or TN (A and B transposed or not), C[m×n] += A[m×k]·B[k×n]. */
    public record Gemm(String form, int m, int n, int k, double flopsPerSecond) {
    }

    /** The element-wise rate on tensors of {@code tensorBytes} each. */
    public record Elementwise(double tensorBytes, double bytesPerSecond) {
    }

    /** A rank's mean wait at a blocking collective after {@code computeSeconds} of compute on every rank. */
    public record Drift(double computeSeconds, double waitSeconds) {
    }

    /** Attention of sequence length {@code seq} and head dimension {@code headDim}: FLOP/s of forward and backward. */
    public record Attention(int seq, int headDim, double forwardFlopsPerSecond, double backwardFlopsPerSecond) {
    }

    public CpuRates {
        gemm = List.copyOf(gemm);
        attention = List.copyOf(attention);
        elementwise = elementwise.stream().sorted(java.util.Comparator.comparingDouble(Elementwise::tensorBytes)).toList();
        if (elementwise.isEmpty()) throw new IllegalArgumentException("CPU rates need element-wise points");
        for (Elementwise e : elementwise) if (!(e.bytesPerSecond() > 0)) throw new IllegalArgumentException("element-wise rate must be positive: " + e);
        drift = drift == null ? List.of() : drift.stream().sorted(java.util.Comparator.comparingDouble(Drift::computeSeconds)).toList();
        if (gemm.isEmpty() || attention.isEmpty()) throw new IllegalArgumentException("CPU rates need GEMM and attention points");
        for (Gemm g : gemm) if (!(g.flopsPerSecond() > 0)) throw new IllegalArgumentException("GEMM rate must be positive: " + g);
        for (Attention a : attention) {
            if (!(a.forwardFlopsPerSecond() > 0) || !(a.backwardFlopsPerSecond() > 0)) throw new IllegalArgumentException("attention rate must be positive: " + a);
        }
        if (!(allocationBytesPerSecond > 0) || !(optimizerParamsPerSecond > 0)) {
            throw new IllegalArgumentException("CPU rates must be positive");
        }
        for (Drift d : drift) {
            if (!(d.computeSeconds() > 0) || !(d.waitSeconds() >= 0)) throw new IllegalArgumentException("drift needs compute > 0 and wait >= 0: " + d);
        }
    }

    /** The same rates with other drift measurements. */
    public CpuRates withDrift(List<Drift> d) {
        return new CpuRates(gemm, attention, elementwise, allocationBytesPerSecond, optimizerParamsPerSecond, d);
    }

    /**
     * The wait at a blocking collective after {@code computeSeconds} of compute: a power law through the measured points
     * (linear in the logarithms); beyond the longest, that point's wait (over long compute the ranks' slowdowns even out:
     * on the idle-ish machine the data-parallel reduction after a whole step waited a few ms, not the power law carried on);
     * below the shortest in proportion; 0 without measurements.
     */
    public double waitAfter(double computeSeconds) {
        if (drift.isEmpty() || !(computeSeconds > 0)) return 0;
        Drift a = drift.getFirst(), b = drift.getLast();
        if (computeSeconds <= a.computeSeconds() || b.computeSeconds() <= a.computeSeconds()) {
            return a.waitSeconds() * computeSeconds / a.computeSeconds(); // below the points (or with one): in proportion
        }
        double wa = Math.max(a.waitSeconds(), 1e-9), wb = Math.max(b.waitSeconds(), 1e-9);
        double slope = Math.log(wb / wa) / Math.log(b.computeSeconds() / a.computeSeconds());
        return computeSeconds <= b.computeSeconds() ? wa * Math.pow(computeSeconds / a.computeSeconds(), slope) : b.waitSeconds();
    }

    /** Bytes per second of an element-wise kernel whose tensors hold {@code tensorBytes} each (log-interpolated, clamped). */
    public double elementwise(double tensorBytes) {
        double[] xs = elementwise.stream().mapToDouble(Elementwise::tensorBytes).toArray();
        Bracket b = bracket(xs, Math.max(tensorBytes, 1));
        return Math.exp((1 - b.t) * Math.log(elementwise.get(b.lo).bytesPerSecond()) + b.t * Math.log(elementwise.get(b.hi).bytesPerSecond()));
    }

    /** FLOP/s of a GEMM of {@code form} (NT, NN, TN) and shape m × n × k, interpolated on the grid. */
    public double gemm(String form, double m, double n, double k) {
        List<Gemm> pts = gemm.stream().filter(g -> g.form().equals(form)).toList();
        if (pts.isEmpty()) throw new IllegalArgumentException("no GEMM rates for form " + form + " in the CPU profile");
        double[] ms = axis(pts.stream().mapToDouble(Gemm::m)), ns = axis(pts.stream().mapToDouble(Gemm::n)), ks = axis(pts.stream().mapToDouble(Gemm::k));
        Bracket bm = bracket(ms, m), bn = bracket(ns, n), bk = bracket(ks, k);
        double logRate = 0;
        for (int i = 0; i < 8; i++) {
            double w = ((i & 1) == 0 ? 1 - bm.t : bm.t) * ((i & 2) == 0 ? 1 - bn.t : bn.t) * ((i & 4) == 0 ? 1 - bk.t : bk.t);
            if (w == 0) continue;
            double gm = ms[(i & 1) == 0 ? bm.lo : bm.hi], gn = ns[(i & 2) == 0 ? bn.lo : bn.hi], gk = ks[(i & 4) == 0 ? bk.lo : bk.hi];
            Gemm p = pts.stream().filter(g -> g.m() == gm && g.n() == gn && g.k() == gk).findFirst().orElseThrow(() -> new IllegalArgumentException(
                    "the CPU profile's GEMM grid for " + form + " has no point " + (int) gm + "×" + (int) gn + "×" + (int) gk + " (the grid must be complete)"));
            logRate += w * Math.log(p.flopsPerSecond());
        }
        return Math.exp(logRate);
    }

    /** Seconds of a GEMM of {@code form} and shape m × n × k. */
    public double gemmSeconds(String form, double m, double n, double k) {
        return m <= 0 || n <= 0 || k <= 0 ? 0 : 2 * m * n * k / gemm(form, m, n, k);
    }

    /** FLOP/s of the attention forward kernel at sequence length {@code seq} and head dimension {@code headDim}. */
    public double attentionForward(double seq, double headDim) {
        return attentionRate(seq, headDim, true);
    }

    /** FLOP/s of the attention backward kernel. */
    public double attentionBackward(double seq, double headDim) {
        return attentionRate(seq, headDim, false);
    }

    private double attentionRate(double seq, double headDim, boolean forward) {
        double[] ss = axis(attention.stream().mapToDouble(Attention::seq)), ds = axis(attention.stream().mapToDouble(Attention::headDim));
        Bracket bs = bracket(ss, seq), bd = bracket(ds, headDim);
        double logRate = 0;
        for (int i = 0; i < 4; i++) {
            double w = ((i & 1) == 0 ? 1 - bs.t : bs.t) * ((i & 2) == 0 ? 1 - bd.t : bd.t);
            if (w == 0) continue;
            double gs = ss[(i & 1) == 0 ? bs.lo : bs.hi], gd = ds[(i & 2) == 0 ? bd.lo : bd.hi];
            Attention a = attention.stream().filter(x -> x.seq() == gs && x.headDim() == gd).findFirst().orElseThrow(() -> new IllegalArgumentException(
                    "the CPU profile's attention grid has no point s " + (int) gs + ", head dim " + (int) gd + " (the grid must be complete)"));
            logRate += w * Math.log(forward ? a.forwardFlopsPerSecond() : a.backwardFlopsPerSecond());
        }
        return Math.exp(logRate);
    }

    private static double[] axis(java.util.stream.DoubleStream values) {
        TreeSet<Double> set = new TreeSet<>();
        values.forEach(set::add);
        return set.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Grid indices lo ≤ hi around x and the weight t of hi, linear in log x; clamped to the grid's ends. */
    private record Bracket(int lo, int hi, double t) {
    }

    private static Bracket bracket(double[] grid, double x) {
        if (x <= grid[0]) return new Bracket(0, 0, 0);
        int last = grid.length - 1;
        if (x >= grid[last]) return new Bracket(last, last, 0);
        int hi = 1;
        while (grid[hi] < x) hi++;
        double t = (Math.log(x) - Math.log(grid[hi - 1])) / (Math.log(grid[hi]) - Math.log(grid[hi - 1]));
        return new Bracket(hi - 1, hi, t);
    }
}
