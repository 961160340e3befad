package wanka.train.ft;

import java.util.List;

/**
 * What the agent concludes from the heartbeats of a running job ({@link HealthMonitor}): every rank progressing, with
 * the stragglers among them, or a hung rank. A dead process is seen by the agent directly (its launcher exits: Open
 * MPI ends the whole job when one rank dies).
 */
public sealed interface Health {
    /** All ranks progress; {@code step} is the slowest rank's last step. */
    record Progressing(long step, List<Integer> stragglers) implements Health {
    }

    /** Rank {@code rank} (at step {@code step}) is hung: silent, or alive without finishing a step, for {@code silentMs}; {@code why} says which. */
    record Hung(int rank, long step, long silentMs, String why) implements Health {
    }
}
