package wanka.cli;

/** The faults {@code wanka chaos} injects, and whether each makes the job restart. */
enum ChaosFault {
    /** SIGKILL of a random rank: Open MPI ends the job; the agent restarts it. */
    KILL(true),
    /** SIGSTOP of a random rank: the job hangs; the agent's hang timeout kills and restarts it. */
    STOP(true),
    /** A random rank slowed for a few seconds (stopped 150 ms of every 200 ms): a straggler, flagged, no restart. */
    SLOW(false),
    /** A byte flipped in the newest checkpoint, then SIGKILL: the resume must skip it (it fails its CRC-32C). */
    CORRUPT(true),
    /** The newest checkpoint's shard cut short, then SIGKILL: the resume must skip it (its size differs). */
    TRUNCATE(true),
    /** The level-3 store taken away for a few steps: its writes fail, training goes on. */
    STORE_AWAY(false),
    /** Level 1's small tmpfs filled during checkpoint writes: they fail with ENOSPC, training goes on (root only). */
    FULL_DISK(false),
    /** A rank killed and its host's level-1 area wiped (the host is lost): the agent puts a spare host in its place; the lost shards come from the peer copies. */
    HOST_LOST(true),
    /** A rank's network namespace cut off (its link set down; root, iproute2 and netns hosts only): the job hangs; the agent kills it and restarts on a spare host. */
    NETNS_CUT(true);

    final boolean restarts;

    ChaosFault(boolean restarts) {
        this.restarts = restarts;
    }
}
