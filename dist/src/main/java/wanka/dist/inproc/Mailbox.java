package wanka.dist.inproc;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import wanka.dist.DistException;
import wanka.dist.DistTimeoutException;
import wanka.dist.Span;

/**
 * Point-to-point messages of one in-process group. A send and a receive with the same (source, destination,
 * tag) match in the order they were posted; the data is copied straight from the sender's buffer into the
 * receiver's, and both complete then (a synchronous send, so nothing relies on buffering).
 */
final class Mailbox {
    private record Key(int src, int dst, int tag) {}

    private record Posted(Span buffer, CompletableFuture<Object> done) {}

    private final Communicator comm;
    private final Map<Key, ArrayDeque<Posted>> sends = new HashMap<>();
    private final Map<Key, ArrayDeque<Posted>> recvs = new HashMap<>();

    Mailbox(Communicator comm) {
        this.comm = comm;
    }

    CompletableFuture<Object> send(int src, int dst, int tag, Span buffer) {
        return post(new Key(src, dst, tag), buffer, sends, recvs, true);
    }

    CompletableFuture<Object> recv(int src, int dst, int tag, Span buffer) {
        return post(new Key(src, dst, tag), buffer, recvs, sends, false);
    }

    /** Withdraws an unmatched post after its timeout and describes who failed to match it. */
    DistTimeoutException timeout(int src, int dst, int tag, boolean isSend, CompletableFuture<Object> done, Duration t) {
        synchronized (this) {
            ArrayDeque<Posted> q = (isSend ? sends : recvs).get(new Key(src, dst, tag));
            if (q != null) {
                q.removeIf(p -> p.done() == done);
            }
        }
        int me = isSend ? src : dst, peer = isSend ? dst : src;
        String what = isSend ? "send to rank " + dst : "recv from rank " + src;
        String missing = isSend ? "the matching recv" : "the matching send";
        return new DistTimeoutException(what + " (tag " + tag + ") in group '" + comm.name() + "' (rank " + me + " of "
                + comm.size() + ") timed out after " + t.toMillis() + " ms: rank " + peer + " (world "
                + comm.worldRank(peer) + ") has not posted " + missing, List.of(peer));
    }

    synchronized void failAll(DistException e) {
        for (Map<Key, ArrayDeque<Posted>> m : List.of(sends, recvs)) {
            m.values().forEach(q -> q.forEach(p -> p.done().completeExceptionally(e)));
            m.clear();
        }
    }

    private CompletableFuture<Object> post(Key key, Span buffer, Map<Key, ArrayDeque<Posted>> mine,
            Map<Key, ArrayDeque<Posted>> theirs, boolean isSend) {
        CompletableFuture<Object> done = new CompletableFuture<>();
        Posted match;
        synchronized (this) {
            ArrayDeque<Posted> q = theirs.get(key);
            match = q == null ? null : q.poll();
            if (match == null) {
                mine.computeIfAbsent(key, k -> new ArrayDeque<>()).add(new Posted(buffer, done));
                return done;
            }
        }
        Posted send = isSend ? new Posted(buffer, done) : match, recv = isSend ? match : new Posted(buffer, done);
        if (send.buffer().type() != recv.buffer().type() || send.buffer().count() != recv.buffer().count()) {
            DistException e = new DistException("message from rank " + key.src() + " to rank " + key.dst() + " (tag "
                    + key.tag() + ") in group '" + comm.name() + "': sent " + send.buffer().describe()
                    + ", receive buffer " + recv.buffer().describe());
            send.done().completeExceptionally(e);
            recv.done().completeExceptionally(e);
            return done;
        }
        try {
            Kernels.copy(send.buffer().slice(), recv.buffer().slice());
        } catch (RuntimeException e) {
            DistException d = new DistException("message from rank " + key.src() + " to rank " + key.dst()
                    + " in group '" + comm.name() + "' failed: " + e.getMessage(), e);
            send.done().completeExceptionally(d);
            recv.done().completeExceptionally(d);
            return done;
        }
        send.done().complete(null);
        recv.done().complete(null);
        return done;
    }
}
