package wanka.train;

import wanka.model.TeleChat2Config;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One rank's side of sharded checkpointing. At a checkpoint step the rank takes a {@link RankShard} (a copy of what it
 * saves) and writes it into the checkpoint's partial directory; world rank 0 then commits the checkpoint once every
 * rank's shard is there ({@link Checkpoints#commitSharded}) and prunes old ones.
 *
 * <p>Synchronous, the step waits for all of that. Asynchronous (Megatron's async distributed checkpointing), the step
 * pays only for the snapshot: serialisation, writing and the commit run on this writer's one background thread, and at
 * most one write is in flight, so the next snapshot first waits for the previous write. {@link #stallNanos} measures
 * what the steps paid either way.
 *
 * <p>A failed write (a full disk, say) does not stop training: it is reported on {@code log}, the rank leaves a
 * {@code .failed} marker so that rank 0 does not commit the checkpoint, and the previous checkpoint stays the newest.
 */
public final class CheckpointWriter implements AutoCloseable {

    /**
     * When and how to checkpoint: every {@code every} steps (0: never) and at the last step if {@code atEnd}, keeping the
     * newest {@code keep} (0: all), written in the background if {@code async}; rank 0 waits up to {@code commitTimeout}
     * for the other ranks' shards.
     */
    public record Policy(int every, int keep, boolean async, boolean atEnd, Duration commitTimeout) {
        public static final Policy NONE = new Policy(0, 0, false, false, Duration.ofMinutes(1));

        public Policy {
            if (every < 0 || keep < 0) throw new IllegalArgumentException("checkpoint interval and retention must be >= 0, got " + every + ", " + keep);
        }

        public static Policy every(int every, int keep, boolean async) {
            return new Policy(every, keep, async, true, Duration.ofMinutes(5));
        }

        /** Whether step {@code step} (just completed) of a run of {@code last} steps is a checkpoint step. */
        public boolean due(long step, long last) {
            return (every > 0 && step % every == 0) || (atEnd && step == last);
        }
    }

    private final Checkpoints checkpoints;
    private final int rank;
    private final CheckpointLayout layout;
    private final TeleChat2Config config;
    private final Policy policy;
    private final Consumer<String> log;
    private final ExecutorService background;
    private Future<?> inFlight;
    private long stallNanos, saves;
    private volatile long failures, lastCommitted = -1;

    public CheckpointWriter(Checkpoints checkpoints, int rank, CheckpointLayout layout, TeleChat2Config config, Policy policy, Consumer<String> log) {
        this.checkpoints = checkpoints;
        this.rank = rank;
        this.layout = layout;
        this.config = config;
        this.policy = policy;
        this.log = log;
        this.background = policy.async() ? Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("checkpoint-writer-" + rank).unstarted(r)) : null;
    }

    public Policy policy() {
        return policy;
    }

    /**
     * Saves this rank's part of the checkpoint of {@code state.step()}: takes the snapshot (after waiting for the write
     * in flight, if any) and writes it now or in the background. Returns the nanoseconds the caller was held.
     */
    public long save(Supplier<RankShard> snapshot, Checkpoints.State state) {
        long t0 = System.nanoTime();
        awaitInFlight();
        RankShard shard = snapshot.get();
        if (background != null) inFlight = background.submit(() -> write(shard, state));
        else write(shard, state);
        long held = System.nanoTime() - t0;
        stallNanos += held;
        saves++;
        return held;
    }

    private void write(RankShard shard, Checkpoints.State state) {
        long step = state.step();
        try {
            shard.writeInto(checkpoints.partial(step));
            if (rank == 0) {
                checkpoints.commitSharded(step, layout, state, config, policy.commitTimeout());
                lastCommitted = step;
                for (var p : checkpoints.prune(policy.keep())) log.accept("removed " + p + " (keeping the newest " + policy.keep() + ")");
            }
        } catch (IOException | RuntimeException e) {
            failures++;
            checkpoints.markFailed(step, rank, Checkpoints.reason(e instanceof IOException io ? io : new IOException(e.toString(), e)));
            log.accept("rank " + rank + ": checkpoint of step " + step + " not saved, training goes on from the previous one: "
                    + (e instanceof IOException io ? Checkpoints.reason(io) : e.toString()));
        }
    }

    private void awaitInFlight() {
        if (inFlight == null) return;
        try {
            inFlight.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the checkpoint write in flight", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("checkpoint writer failed: " + e.getCause(), e.getCause());
        } finally {
            inFlight = null;
        }
    }

    /** Waits for the write in flight, if any (before the run ends, or before a final save elsewhere). */
    public void flush() {
        awaitInFlight();
    }

    /** Nanoseconds the training steps were held by checkpointing, in all. */
    public long stallNanos() {
        return stallNanos;
    }

    public long saves() {
        return saves;
    }

    /** Writes that failed on this rank. */
    public long failures() {
        return failures;
    }

    /** The last step rank 0 committed, -1 if none (on other ranks always -1). */
    public long lastCommitted() {
        return lastCommitted;
    }

    @Override
    public void close() {
        try {
            flush();
        } finally {
            if (background != null) background.shutdown();
        }
    }
}
