package wanka.train.ft;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A rank's progress counter inside a step: the training loop and the checkpoint writer {@link #tick} it at every phase
 * they finish (a micro-batch's forward or backward, a gradient synchronisation, the optimizer step, a checkpoint
 * snapshot, a level written or failed). {@link Beats} carries its value in every heartbeat, so the agent tells a rank
 * that is slow but moving (a slow checkpoint write, a loaded machine) from one that waits forever (a deadlock, a peer
 * cut off): only a finished wait ticks, a blocked collective does not. Shared between threads.
 */
public final class Progress {
    private final AtomicLong ticks = new AtomicLong();

    /** One more phase finished. */
    public void tick() {
        ticks.incrementAndGet();
    }

    /** Phases finished so far. */
    public long value() {
        return ticks.get();
    }
}
