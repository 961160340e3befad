package wanka.train;

import wanka.dist.ProcessGroup;
import wanka.model.TeleChat2Config;
import wanka.train.ft.Progress;
import wanka.train.store.DirectoryStore;
import wanka.train.store.PeerMemory;
import wanka.train.store.PeerMemoryLevel;
import wanka.train.store.StorageLevel;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One rank's side of sharded checkpointing over the {@link StorageLevel}s. At a step that is a checkpoint step of some
 * level the rank takes a {@link RankShard} (a copy of what it saves) and writes it to each level due, fastest first;
 * world rank 0 commits each level's checkpoint once every rank's shard is there and prunes that level's old ones.
 *
 * <p>Synchronous, the step waits for all of that. Asynchronous (Megatron's async distributed checkpointing), the step
 * pays only for the snapshot: serialisation, writing and the commits run on this writer's one background thread, and
 * at most one write is in flight, so the next snapshot first waits for the previous write. {@link #stallNanos}
 * measures what the steps paid either way.
 *
 * <p>A failed write (a full disk, a store that went away) does not stop training: it is reported on {@code log}, the
 * rank leaves a {@code .failed} marker so that rank 0 does not commit that level's checkpoint, the other levels are
 * still written, and each level's previous checkpoint stays its newest.
 */
public final class CheckpointWriter implements AutoCloseable {

    /**
     * When and how to checkpoint: into the run's own directory (level 2, local disk) every {@code every} steps (0: never)
     * and, with every level-2 store, at the last step if {@code atEnd}, keeping the newest {@code keep} (0: all); into the other {@code levels} as
     * each says; in the background if {@code async}; rank 0 waits up to {@code commitTimeout} for the other ranks' shards.
     */
    public record Policy(int every, int keep, boolean async, boolean atEnd, Duration commitTimeout, List<StorageLevel> levels, PeerMemory peer) {
        public static final Policy NONE = new Policy(0, 0, false, false, Duration.ofMinutes(1), List.of());

        public Policy {
            if (every < 0 || keep < 0) throw new IllegalArgumentException("checkpoint interval and retention must be >= 0, got " + every + ", " + keep);
            levels = List.copyOf(levels);
        }

        /** No level 1 on peer hosts. */
        public Policy(int every, int keep, boolean async, boolean atEnd, Duration commitTimeout, List<StorageLevel> levels) {
            this(every, keep, async, atEnd, commitTimeout, levels, null);
        }

        /** This policy with level 1 kept in host memory areas and copied to peer hosts ({@code peer}; null: none). */
        public Policy withPeerMemory(PeerMemory peer) {
            return new Policy(every, keep, async, atEnd, commitTimeout, levels, peer);
        }

        public static Policy every(int every, int keep, boolean async) {
            return new Policy(every, keep, async, true, Duration.ofMinutes(5), List.of());
        }

        /** This policy with {@code more} storage levels besides the run's directory. */
        public Policy withLevels(List<StorageLevel> more) {
            return new Policy(every, keep, async, atEnd, commitTimeout, more, peer);
        }

        public Policy withCommitTimeout(Duration t) {
            return new Policy(every, keep, async, atEnd, t, levels, peer);
        }

        /** Whether step {@code step} (just completed) of a run of {@code last} steps is a checkpoint step of the run's directory. */
        public boolean due(long step, long last) {
            return (every > 0 && step % every == 0) || (atEnd && step == last);
        }

        /** Every level, in level order: the given ones and the run's directory {@code outDir/checkpoints} as level 2. */
        public List<StorageLevel> storage(Path outDir) {
            List<StorageLevel> all = new ArrayList<>(levels);
            all.add(new StorageLevel(2, "local disk", DirectoryStore.ofRun(outDir), every, keep));
            all.sort(Comparator.comparingInt(StorageLevel::level));
            return all;
        }
    }

    private final int rank;
    private final CheckpointLayout layout;
    private final TeleChat2Config config;
    private final Policy policy;
    private final List<StorageLevel> levels;
    private final Consumer<String> log;
    private final ExecutorService background;
    private final PeerMemoryLevel peer;
    private final ProcessGroup agree; // the writers' own group: every rank says whether its shard of a level was written before rank 0 commits
    private final Progress progress;
    private Future<?> inFlight;
    private long stallNanos, saves;
    private volatile long failures;

    public CheckpointWriter(Path outDir, int rank, CheckpointLayout layout, TeleChat2Config config, Policy policy, Consumer<String> log) {
        this(outDir, rank, layout, config, policy, log, null);
    }

    /**
     * A writer for world rank {@code world.rank()}; with level 1 on peer hosts, its copies travel over a group split off
     * {@code world} here (a collective: every rank constructs its writer at the same point), so the background writer
     * never shares a group with the training thread.
     */
    public CheckpointWriter(Path outDir, int rank, CheckpointLayout layout, TeleChat2Config config, Policy policy, Consumer<String> log, ProcessGroup world) {
        this(outDir, rank, layout, config, policy, log, world, new Progress());
    }

    /** {@link #CheckpointWriter(Path, int, CheckpointLayout, TeleChat2Config, Policy, Consumer, ProcessGroup)} ticking {@code progress} at every snapshot and every level written or failed (for the heartbeats). */
    public CheckpointWriter(Path outDir, int rank, CheckpointLayout layout, TeleChat2Config config, Policy policy, Consumer<String> log, ProcessGroup world, Progress progress) {
        this.progress = progress;
        if (policy.peer() != null && world == null) throw new IllegalArgumentException("level 1 on peer hosts needs the job's process group");
        this.peer = policy.peer() == null ? null : policy.peer().open(world.split(0, world.rank(), "level1-peers"));
        this.agree = world == null || world.size() == 1 ? null : world.split(0, world.rank(), "checkpoint-writers");
        if (peer != null && peer.peer() < 0 && rank == 0) log.accept(peer.describe() + ": every rank is on host " + peer.hosts().getFirst() + ", so there is no peer host to copy to; level 1 keeps own copies only");
        this.rank = rank;
        this.layout = layout;
        this.config = config;
        this.policy = policy;
        this.levels = policy.storage(outDir);
        this.log = log;
        this.background = policy.async() ? Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon().name("checkpoint-writer-" + rank).unstarted(r)) : null;
    }

    public Policy policy() {
        return policy;
    }

    /** The levels written to, in level order. */
    public List<StorageLevel> levels() {
        return levels;
    }

    /**
     * After step {@code step} of {@code last}: if it is a checkpoint step of any level, saves this rank's part (waiting
     * first for the write in flight, if any) to each level due, now or in the background. Returns the nanoseconds the
     * caller was held (0 when nothing was due).
     */
    public long afterStep(long step, long last, Supplier<RankShard> snapshot, Supplier<Checkpoints.State> state) {
        List<StorageLevel> due = new ArrayList<>();
        for (StorageLevel l : levels) if (l.due(step) || (policy.atEnd() && step == last && l.level() == 2)) due.add(l);
        boolean peerDue = peer != null && peer.due(step);
        if (due.isEmpty() && !peerDue) return 0;
        long t0 = System.nanoTime();
        awaitInFlight();
        RankShard shard = snapshot.get();
        Checkpoints.State s = state.get();
        progress.tick();
        if (background != null) inFlight = background.submit(() -> write(due, peerDue, shard, s));
        else write(due, peerDue, shard, s);
        long held = System.nanoTime() - t0;
        stallNanos += held;
        saves++;
        return held;
    }

    private void write(List<StorageLevel> due, boolean peerDue, RankShard shard, Checkpoints.State state) {
        long step = state.step();
        if (peerDue) { // first: the fastest level, and a collective every rank reaches whatever the other levels do
            try {
                peer.write(shard, layout, state, config);
            } catch (IOException | RuntimeException e) {
                failures++;
                log.accept("rank " + rank + ": checkpoint of step " + step + " not kept at " + peer.describe() + "; training goes on: " + (e instanceof IOException io ? Checkpoints.reason(io) : e.toString()));
            }
            progress.tick();
        }
        for (StorageLevel l : due) {
            boolean written = false;
            try {
                l.store().writeShard(shard);
                written = true;
            } catch (IOException | RuntimeException e) {
                failures++;
                String why = e instanceof IOException io ? Checkpoints.reason(io) : e.toString();
                l.store().markFailed(step, rank, why);
                log.accept("rank " + rank + ": checkpoint of step " + step + " not saved to " + l.describe() + "; training goes on from the previous one: " + why);
            }
            progress.tick();
            // Every rank says whether its shard is there, so rank 0 never waits for one that will not come (a rank whose
            // store went away cannot leave its failure marker there either).
            int missing = agree == null ? 0 : countFailed(!written);
            if (rank != 0) continue;
            if (missing > 0) {
                if (written) log.accept("checkpoint of step " + step + " not committed to " + l.describe() + ": " + missing + " rank(s) could not write their shards; its previous checkpoint stays the newest");
                continue;
            }
            try {
                l.store().commit(step, layout, state, config, policy.commitTimeout());
                for (String p : l.store().prune(l.keep())) log.accept("removed " + p + " from " + l.describe() + " (keeping the newest " + l.keep() + ")");
            } catch (IOException | RuntimeException e) {
                failures++;
                String why = e instanceof IOException io ? Checkpoints.reason(io) : e.toString();
                log.accept("rank " + rank + ": checkpoint of step " + step + " not committed to " + l.describe() + "; training goes on from the previous one: " + why);
            }
            progress.tick();
        }
    }

    /** How many ranks of the writers' group failed (a collective over it). */
    private int countFailed(boolean failed) {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared()) {
            java.lang.foreign.MemorySegment s = arena.allocate(8);
            s.set(java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED, 0, failed ? 1 : 0);
            agree.allReduce(wanka.dist.Span.doubles(s));
            return (int) Math.round(s.get(java.lang.foreign.ValueLayout.JAVA_DOUBLE_UNALIGNED, 0));
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

    /** Waits for the write in flight, if any (before the run ends). */
    public void flush() {
        awaitInFlight();
    }

    /** Nanoseconds the training steps were held by checkpointing, in all. */
    public long stallNanos() {
        return stallNanos;
    }

    /** Checkpoint steps taken (each written to one or more levels). */
    public long saves() {
        return saves;
    }

    /** Level writes that failed on this rank. */
    public long failures() {
        return failures;
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
