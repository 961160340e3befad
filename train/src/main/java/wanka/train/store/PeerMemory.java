package wanka.train.store;

import wanka.dist.ProcessGroup;

import java.nio.file.Path;

/**
 * Level 1 with copies on peer hosts (Gemini): every rank keeps its shard in its host's memory area outside the workers
 * (e.g. {@code /dev/shm/wanka/run1}) and sends it, through the job's process group, to a rank on the next host, which
 * keeps the copy in its own host's area. Losing one host (its area) then loses nothing: a resume gathers that host's
 * shards from the peer copies.
 *
 * @param area  the host's level-1 directory; {@code {host}} in it is replaced by the host's name (simulated hosts on
 *              one machine need distinct areas; real hosts may all use the same path)
 * @param hosts how a rank learns its host
 * @param every interval in steps
 * @param keep  checkpoints kept per host area (0: all)
 */
public record PeerMemory(String area, HostNaming hosts, int every, int keep) {
    public static final String HOST = "{host}";

    public PeerMemory {
        if (every < 1 || keep < 0) throw new IllegalArgumentException("level 1 on peer hosts: interval must be >= 1 and retention >= 0, got " + every + ", " + keep);
    }

    /** The level-1 area of {@code host}. */
    public Path areaOf(String host) {
        return Path.of(area.replace(HOST, host));
    }

    /** Whether step {@code step} is a checkpoint step of this level. */
    public boolean due(long step) {
        return step % every == 0;
    }

    /** Learns every rank's host over {@code group} (a collective; the group's ranks are the world's, in order). */
    public PeerMemoryLevel open(ProcessGroup group) {
        return PeerMemoryLevel.open(this, group);
    }
}
