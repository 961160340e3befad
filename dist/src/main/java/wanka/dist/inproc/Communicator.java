package wanka.dist.inproc;

import java.util.HashMap;
import java.util.Map;
import wanka.dist.DistException;

/**
 * The state one in-process group's ranks share: its open collectives by sequence number and its mailbox.
 * Each rank holds an {@link InProcessGroup} over it.
 */
final class Communicator {
    private final InProcessWorld world;
    private final String name;
    private final int[] worldRanks;
    private final Map<Long, Rendezvous> open = new HashMap<>();
    private final Mailbox mailbox = new Mailbox(this);
    private boolean closed;

    Communicator(InProcessWorld world, String name, int[] worldRanks) {
        this.world = world;
        this.name = name;
        this.worldRanks = worldRanks.clone();
    }

    String name() {
        return name;
    }

    int size() {
        return worldRanks.length;
    }

    int worldRank(int rank) {
        return worldRanks[rank];
    }

    InProcessWorld world() {
        return world;
    }

    Mailbox mailbox() {
        return mailbox;
    }

    /** The collective with this sequence number, opened by its first rank. */
    synchronized Rendezvous rendezvous(long seq) {
        if (closed) {
            throw new DistException("group '" + name + "': the in-process world is closed");
        }
        return open.computeIfAbsent(seq, s -> new Rendezvous(this, s));
    }

    /** Forgets a collective every rank has joined. */
    synchronized void retire(long seq) {
        open.remove(seq);
    }

    /** Fails everything still waiting. */
    void close(DistException e) {
        synchronized (this) {
            closed = true;
            open.values().forEach(r -> r.fail(e));
            open.clear();
        }
        mailbox.failAll(e);
    }
}
