package wanka.train.store;

/**
 * One level of checkpoint storage with its own interval and retention (the seed's three levels; Gemini, NVIDIA's
 * resiliency extension): level 1 in memory outside the worker processes ({@code /dev/shm}, mirrored to a peer's
 * area), level 2 the run's local disk, level 3 a shared store (a shared filesystem or an object store). Faster
 * levels are written more often and keep fewer checkpoints; a resume tries the newest checkpoint over all levels,
 * the faster level first for the same step, and falls back level by level and step by step.
 *
 * @param level 1, 2 or 3 (the order a resume tries them in for the same step)
 * @param every checkpoint interval in steps (0: only the final checkpoint, for the run's own level)
 * @param keep  checkpoints kept (0: all)
 */
public record StorageLevel(int level, String name, CheckpointStore store, int every, int keep) {
    public StorageLevel {
        if (level < 1) throw new IllegalArgumentException("storage levels are numbered from 1, got " + level);
        if (every < 0 || keep < 0) throw new IllegalArgumentException(name + ": interval and retention must be >= 0, got " + every + ", " + keep);
    }

    /** Whether step {@code step} is a checkpoint step of this level. */
    public boolean due(long step) {
        return every > 0 && step % every == 0;
    }

    /** "level 1 (memory: /dev/shm/…)", for messages. */
    public String describe() {
        return "level " + level + " (" + name + ": " + store.describe() + ")";
    }
}
