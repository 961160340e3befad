package wanka.train.store;

import wanka.dist.ProcessGroup;
import wanka.dist.Span;
import wanka.dist.Work;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Byte arrays between ranks over a {@link ProcessGroup} (Open MPI across processes and hosts, or the in-process
 * backend): first every message's length, then the bytes, in pieces of at most 1 GiB (messages between two ranks with
 * one tag arrive in order). Every send and receive is posted before any is waited for, so ranks that send to each
 * other in a ring do not deadlock even where a send completes only once its receive is posted.
 */
final class ByteMessages {
    private static final long PIECE = 1L << 30;

    private ByteMessages() {
    }

    /**
     * Sends {@code out.get(dst)} to each {@code dst} and receives one message from each rank in {@code from}; returns
     * them by sender. Every pair must call this with matching tags: {@code tag} for lengths, {@code tag + 1} for bytes.
     */
    static Map<Integer, byte[]> exchange(ProcessGroup g, Map<Integer, byte[]> out, Collection<Integer> from, int tag) {
        try (Arena arena = Arena.ofShared()) {
            List<Work> works = new ArrayList<>();
            Map<Integer, MemorySegment> lengths = new LinkedHashMap<>();
            for (var e : out.entrySet()) {
                MemorySegment n = arena.allocate(8);
                n.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, e.getValue().length);
                works.add(g.sendAsync(Span.longs(n), e.getKey(), tag));
            }
            for (int src : from) {
                MemorySegment n = arena.allocate(8);
                lengths.put(src, n);
                works.add(g.recvAsync(Span.longs(n), src, tag));
            }
            for (Work w : works) w.await();
            works.clear();
            Map<Integer, MemorySegment> incoming = new LinkedHashMap<>();
            for (var e : out.entrySet()) {
                byte[] data = e.getValue();
                if (data.length == 0) continue;
                MemorySegment s = arena.allocate(data.length);
                MemorySegment.copy(data, 0, s, ValueLayout.JAVA_BYTE, 0, data.length);
                for (long at = 0; at < data.length; at += PIECE) works.add(g.sendAsync(new Span(s, wanka.dist.DataType.BYTE, at, Math.min(PIECE, data.length - at)), e.getKey(), tag + 1));
            }
            for (var e : lengths.entrySet()) {
                long n = e.getValue().get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
                if (n > Integer.MAX_VALUE - 16) throw new IllegalStateException("rank " + e.getKey() + " sends " + n + " bytes: more than one array holds");
                MemorySegment s = arena.allocate(Math.max(1, n));
                incoming.put(e.getKey(), s.asSlice(0, n));
                for (long at = 0; at < n; at += PIECE) works.add(g.recvAsync(new Span(s, wanka.dist.DataType.BYTE, at, Math.min(PIECE, n - at)), e.getKey(), tag + 1));
            }
            for (Work w : works) w.await();
            Map<Integer, byte[]> got = new LinkedHashMap<>();
            for (var e : incoming.entrySet()) got.put(e.getKey(), e.getValue().toArray(ValueLayout.JAVA_BYTE));
            return got;
        }
    }
}
