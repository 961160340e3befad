package wanka.train.ft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Judges one attempt of a job from its heartbeats, with limits that follow the run's own measurements rather than a
 * fixed timeout (which on a loaded machine either fires falsely or waits far too long):
 * <ul>
 * <li>a rank is <b>silent</b> (stopped, frozen, its machine gone) when it has not beaten for more than
 * {@code factor} × the longest gap between two of its beats seen lately (ranks beat every half second even inside
 * a long step), and never less than {@code floorMs};</li>
 * <li>a rank is <b>stuck</b> (alive, but its step does not end: a deadlock, a peer cut off) when it has not finished a
 * step for more than {@code factor} × the slowest recent step time (each process's first step, which loads and
 * compiles, left out), never less than {@code floorMs}, <em>and</em> no rank has made progress for as long (finished a
 * step or a phase inside one: the {@link Heartbeat#progress} counter moved). A step that is slow because a checkpoint
 * write or the store is slow keeps ticking, so it is not a hang while the rank beats and moves; a blocked collective
 * does not tick. Before the attempt's first step the limit is {@code startMs} (a rank that is also falling silent is
 * left to the silence rule);</li>
 * <li>a rank is a <b>straggler</b> when, in each of its last {@value #STRAGGLER_STEPS} steps that other ranks also
 * reported, its compute time was more than {@code stragglerFactor} × the median of the other ranks' compute times for
 * that same step (compute time excludes waiting for peers, so only the slow rank stands out; comparing step by step
 * cancels the machine's load, which slows every rank alike, so two steps are enough: a short slowdown is caught).</li>
 * </ul>
 * Feed it the beats at every poll ({@link #observe}); it keeps the last {@code window} measurements.
 */
public final class HealthMonitor {

    /** The rules' constants. */
    public record Limits(long floorMs, double factor, long startMs, double stragglerFactor, int window) {
        public Limits {
            if (floorMs <= 0 || factor < 1 || startMs <= 0 || stragglerFactor <= 1 || window < 1) {
                throw new IllegalArgumentException("health limits: floor " + floorMs + " ms, factor " + factor + ", start " + startMs + " ms, straggler factor " + stragglerFactor + ", window " + window);
            }
        }
    }

    static final int STRAGGLER_STEPS = 2;
    private static final int COMPUTE_STEPS = 16; // steps of compute times kept per rank
    private final int ranks;
    private final long startedMs;
    private final Limits limits;
    private final Map<Integer, Long> lastBeatMs = new HashMap<>(), lastStep = new HashMap<>(), lastProgress = new HashMap<>();
    private long movedMs = -1; // when any rank last finished a step or a phase (its progress counter moved), as its beat says
    private final ArrayDeque<Long> gaps = new ArrayDeque<>();
    private final ArrayDeque<Double> stepTimes = new ArrayDeque<>();
    private final Map<Integer, java.util.TreeMap<Long, Double>> compute = new HashMap<>(); // rank -> step -> compute ms
    private final java.util.Set<Integer> warmedUp = new java.util.HashSet<>();

    /** For an attempt of {@code ranks} ranks started at {@code startedMs} (earlier beats are another attempt's). */
    public HealthMonitor(int ranks, long startedMs, Limits limits) {
        this.ranks = ranks;
        this.startedMs = startedMs;
        this.limits = limits;
    }

    /** The silence after which a rank is hung now. */
    public long silenceLimitMs() {
        long longest = gaps.stream().mapToLong(Long::longValue).max().orElse(0);
        return Math.max(limits.floorMs(), (long) (limits.factor() * longest));
    }

    /** The time without a finished step after which a rank is hung now. */
    public long stepLimitMs() {
        if (stepTimes.isEmpty()) return Math.max(limits.floorMs(), limits.startMs());
        double slowest = stepTimes.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        return Math.max(limits.floorMs(), (long) (limits.factor() * slowest));
    }

    /** Takes in the beats read at {@code nowMs} and judges them. */
    public Health observe(List<Heartbeat> all, long nowMs) {
        Heartbeat[] beat = new Heartbeat[ranks];
        for (Heartbeat b : all) if (b.rank() >= 0 && b.rank() < ranks && b.timeMs() >= startedMs) beat[b.rank()] = b;
        for (Heartbeat b : beat) {
            if (b == null) continue;
            Long prev = lastBeatMs.put(b.rank(), b.timeMs());
            if (prev != null && b.timeMs() > prev) add(gaps, b.timeMs() - prev);
            Long prevStep = lastStep.put(b.rank(), b.step()), prevProgress = lastProgress.put(b.rank(), b.progress());
            if (prevStep == null || prevStep != b.step() || prevProgress == null || prevProgress != b.progress()) movedMs = Math.max(movedMs, b.timeMs());
            if (b.stepMs() > 0 && (prevStep == null || prevStep != b.step())) {
                if (warmedUp.add(b.rank())) continue; // a process's first step (class loading, JIT) says nothing about the next ones
                add(stepTimes, b.stepMs());
                java.util.TreeMap<Long, Double> c = compute.computeIfAbsent(b.rank(), k -> new java.util.TreeMap<>());
                c.put(b.step(), b.computeMs() > 0 ? b.computeMs() : b.stepMs());
                while (c.size() > COMPUTE_STEPS) c.pollFirstEntry();
            }
        }
        long silence = silenceLimitMs(), stuck = stepLimitMs(), slowest = Long.MAX_VALUE;
        for (int r = 0; r < ranks; r++) {
            Heartbeat b = beat[r];
            if (b == null) {
                if (nowMs - startedMs > limits.startMs()) return new Health.Hung(r, -1, nowMs - startedMs, "no heartbeat since the attempt started " + (nowMs - startedMs) + " ms ago");
                slowest = 0;
                continue;
            }
            long silent = nowMs - b.timeMs();
            if (silent > silence) return new Health.Hung(r, b.step(), silent, "no heartbeat for " + silent + " ms (limit " + silence + " ms: " + limits.factor() + " × the longest gap between beats, at least " + limits.floorMs() + " ms); the process is stopped or frozen");
            long idle = nowMs - Math.max(b.finishedMs(), startedMs), still = nowMs - Math.max(movedMs, startedMs);
            if (idle > stuck && still > stuck && silent <= silence / 2) return new Health.Hung(r, b.step(), idle, "alive but no step finished for " + idle + " ms and no rank progressed for "
                    + still + " ms (limit " + stuck + " ms: " + (stepTimes.isEmpty() ? "the start timeout" : limits.factor() + " × the slowest recent step") + ")");
            slowest = Math.min(slowest, b.step());
        }
        return new Health.Progressing(slowest == Long.MAX_VALUE ? 0 : slowest, stragglers());
    }

    /**
     * Ranks whose compute time was above the straggler factor × the median of the other ranks' in each of their last
     * {@value #STRAGGLER_STEPS} steps that others reported too.
     */
    List<Integer> stragglers() {
        List<Integer> out = new ArrayList<>();
        for (var e : compute.entrySet()) {
            int slow = 0, compared = 0;
            for (var s : e.getValue().descendingMap().entrySet()) {
                double[] others = compute.entrySet().stream().filter(o -> !o.getKey().equals(e.getKey())).map(o -> o.getValue().get(s.getKey()))
                        .filter(java.util.Objects::nonNull).mapToDouble(Double::doubleValue).toArray();
                if (others.length == 0) continue;
                if (s.getValue() > limits.stragglerFactor() * median(others)) slow++;
                if (++compared == STRAGGLER_STEPS) break;
            }
            if (compared == STRAGGLER_STEPS && slow == STRAGGLER_STEPS) out.add(e.getKey());
        }
        out.sort(null);
        return out;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private <T> void add(ArrayDeque<T> q, T v) {
        q.addLast(v);
        while (q.size() > limits.window() * Math.max(1, ranks)) q.removeFirst();
    }
}
