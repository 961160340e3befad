package wanka.train.plan;

import wanka.train.parallel.StepLog;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The closed loop of {@code pretrain --plan FILE}: each rank's first measured steps against the plan's prediction.
 * After step {@link #steps} (or the run's last, if sooner) it reports, per rank, the measured step time (median of the
 * steps after the first, which carries the JIT warm-up) against the predicted step time, and the measured peak allocated
 * bytes (the most over those steps) against the predicted peak of the rank's pipeline stage.
 *
 * <p>Ranks are ordered tensor-parallel fastest, then data, then pipeline ({@link ParallelLayout}), so world rank w is
 * on pipeline stage w / (tp·dp) ({@code wanka.train.parallel.ParallelLayout}). Thread-safe: every local rank's thread hands its logs in.
 */
public final class PlanCheck {
    /** Steps compared: the first is warm-up, the next ones are measured. */
    public static final int STEPS = 3;

    private final PlanFile plan;
    private final int at;
    private final Map<Integer, List<StepLog>> logs = new ConcurrentHashMap<>();

    /** A check of {@code plan} on a run of {@code runSteps} steps. */
    public PlanCheck(PlanFile plan, long runSteps) {
        this.plan = plan;
        this.at = (int) Math.min(STEPS, runSteps);
    }

    /**
     * One rank's comparison.
     *
     * @param rank            world rank
     * @param stage           its pipeline stage
     * @param measuredSeconds median step time of the measured steps
     * @param predictedSeconds the plan's step time
     * @param measuredPeak    the most bytes allocated on the rank in those steps
     * @param predictedPeak   the plan's peak for its stage
     */
    public record Comparison(int rank, int stage, double measuredSeconds, double predictedSeconds, long measuredPeak, double predictedPeak) {
        public double timeError() {
            return predictedSeconds / measuredSeconds - 1;
        }

        public double memoryError() {
            return predictedPeak / measuredPeak - 1;
        }

        /** e.g. {@code plan check rank 1 (stage 0): step 2.31 s measured, 2.10 s predicted (-9.1 %); peak 99.9 MB measured, 99.9 MB predicted (-0.0 %)}. */
        public String describe() {
            return String.format(Locale.ROOT, "plan check rank %d (stage %d): step %.3f s measured, %.3f s predicted (%+.1f %%); peak %.1f MB measured, %.1f MB predicted (%+.1f %%)",
                    rank, stage, measuredSeconds, predictedSeconds, 100 * timeError(), measuredPeak / 1e6, predictedPeak / 1e6, 100 * memoryError());
        }
    }

    /** Takes a rank's step log; returns the rank's comparison once it has the steps, else null. */
    public Comparison accept(StepLog s) {
        List<StepLog> mine = logs.computeIfAbsent(s.rank(), k -> new ArrayList<>());
        synchronized (mine) {
            mine.add(s);
            if (mine.size() != at) return null;
            return compare(s.rank(), mine);
        }
    }

    /** The comparison of world rank {@code rank} over its first steps {@code steps} (at least one). */
    public Comparison compare(int rank, List<StepLog> steps) {
        PlanFile.LayoutEntry l = plan.layout();
        int stage = rank / (l.tp() * l.dp());
        double[] ms = steps.stream().skip(steps.size() > 1 ? 1 : 0).mapToDouble(StepLog::stepMs).sorted().toArray();
        double median = ms.length % 2 == 1 ? ms[ms.length / 2] : (ms[ms.length / 2 - 1] + ms[ms.length / 2]) / 2;
        long peak = steps.stream().mapToLong(StepLog::peakBytes).max().orElseThrow();
        double predictedPeak = stage < plan.stages().size() ? plan.stages().get(stage).peakBytes() : Double.NaN;
        return new Comparison(rank, stage, median / 1e3, plan.predicted().stepSeconds(), peak, predictedPeak);
    }

    @Override
    public String toString() {
        return "PlanCheck" + Arrays.toString(new Object[]{plan.model(), at});
    }
}
