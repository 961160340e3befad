package wanka.cli;

/** The faults {@code wanka chaos} injects, and whether each makes the job restart. */
enum ChaosFault {
    /** SIGKILL of a random rank: Open MPI ends the job; the agent restarts it. */
    KILL(true),
    /** SIGSTOP of a random rank: the job hangs; the agent's hang timeout kills and restarts it. */
    STOP(true),
    /** SIGSTOP then SIGCONT of a random rank within the hang timeout: a straggler, no restart. */
    SLOW(false),
    /** A byte flipped in the newest checkpoint, then SIGKILL: the resume must skip it (it fails its CRC-32C). */
    CORRUPT(true),
    /** The newest checkpoint's shard cut short, then SIGKILL: the resume must skip it (its size differs). */
    TRUNCATE(true),
    /** The level-3 store taken away for a few steps: its writes fail, training goes on. */
    STORE_AWAY(false),
    /** Level 1's small tmpfs filled during checkpoint writes: they fail with ENOSPC, training goes on (root only). */
    FULL_DISK(false);

    final boolean restarts;

    ChaosFault(boolean restarts) {
        this.restarts = restarts;
    }
}
