package wanka.train.ft;

import java.util.ArrayList;
import java.util.List;

/**
 * What the agent concludes from the heartbeats of a running job: every rank progressing, or a hung rank (no new step
 * within the timeout) or stragglers (a last step far slower than the median of its peers). A dead process is seen by
 * the agent directly (its launcher exits: Open MPI ends the whole job when one rank dies).
 */
public sealed interface Health {
    /** All ranks progress; {@code step} is the slowest rank's last step. */
    record Progressing(long step, List<Integer> stragglers) implements Health {
    }

    /** Rank {@code rank} has not finished a step for {@code silentMs} (at step {@code step}). */
    record Hung(int rank, long step, long silentMs) implements Health {
    }

    /**
     * Judges the beats at time {@code nowMs}: a rank silent for more than {@code hangMs} since its last beat, or that has
     * not beaten within {@code startMs} of {@code startedMs} (starting a job takes longer than a step), is hung; a rank
     * whose last step's compute time is more than {@code stragglerFactor} × the median of all ranks' is a straggler.
     */
    static Health judge(List<Heartbeat> beats, int ranks, long startedMs, long nowMs, long hangMs, long startMs, double stragglerFactor) {
        long slowest = Long.MAX_VALUE;
        for (int r = 0; r < ranks; r++) {
            int rank = r;
            Heartbeat b = beats.stream().filter(h -> h.rank() == rank && h.timeMs() >= startedMs).findFirst().orElse(null);
            long last = b == null ? startedMs : b.timeMs();
            if (nowMs - last > (b == null ? startMs : hangMs)) return new Hung(r, b == null ? -1 : b.step(), nowMs - last);
            slowest = Math.min(slowest, b == null ? 0 : b.step());
        }
        List<Double> times = beats.stream().filter(h -> h.timeMs() >= startedMs).map(Heartbeat::computeMs).sorted().toList();
        List<Integer> stragglers = new ArrayList<>();
        if (times.size() >= 2) {
            double median = times.get(times.size() / 2);
            for (Heartbeat h : beats) if (h.timeMs() >= startedMs && h.computeMs() > stragglerFactor * median) stragglers.add(h.rank());
        }
        return new Progressing(slowest == Long.MAX_VALUE ? 0 : slowest, stragglers);
    }
}
