package wanka.curate.dedup;

import wanka.io.AtomicFiles;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file of signature records {@code (key hi, key lo, task, index)} (big-endian longs and ints, after a 4-byte
 * magic), sorted by key, then task, then index. One per task per band under {@code sigs/band-BB/task-NNNNN.bin}.
 */
public final class SigFile {
    static final int MAGIC = 0x57534947; // "WSIG"

    private SigFile() {
    }

    /** One record. */
    public record Entry(long hi, long lo, int task, int index) implements Comparable<Entry> {
        @Override
        public int compareTo(Entry o) {
            int c = Long.compare(hi, o.hi);
            if (c == 0) c = Long.compare(lo, o.lo);
            if (c == 0) c = Integer.compare(task, o.task);
            return c != 0 ? c : Integer.compare(index, o.index);
        }

        public boolean sameKey(Entry o) {
            return hi == o.hi && lo == o.lo;
        }
    }

    /** The file of band {@code band}, task {@code task} under a {@code sigs} folder. */
    public static Path path(Path sigsDir, int band, int task) {
        return bandDir(sigsDir, band).resolve(String.format("task-%05d.bin", task));
    }

    public static Path bandDir(Path sigsDir, int band) {
        return sigsDir.resolve(String.format("band-%02d", band));
    }

    /** Sorts the first {@code n} records of one task (in place) and writes them atomically to {@code file}. */
    public static void write(Path file, long[] hi, long[] lo, int[] index, int n, int task) throws IOException {
        sort(hi, lo, index, 0, n - 1);
        try (AtomicFiles.Output f = AtomicFiles.open(file)) {
            DataOutputStream out = new DataOutputStream(f.stream());
            out.writeInt(MAGIC);
            for (int i = 0; i < n; i++) {
                out.writeLong(hi[i]);
                out.writeLong(lo[i]);
                out.writeInt(task);
                out.writeInt(index[i]);
            }
            f.commit();
        }
    }

    /** Reads a file's records in order. */
    public static final class Reader implements AutoCloseable {
        private final Path file;
        private final DataInputStream in;

        public Reader(Path file) throws IOException {
            this.file = file;
            in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
            int magic;
            try {
                magic = in.readInt();
            } catch (EOFException e) {
                magic = 0;
            }
            if (magic != MAGIC) {
                in.close();
                throw new IOException(file + ": not a wanka signature file");
            }
        }

        /** The next record, or {@code null} at the end. */
        public Entry next() throws IOException {
            long hi;
            try {
                hi = in.readLong();
            } catch (EOFException e) {
                return null;
            }
            try {
                return new Entry(hi, in.readLong(), in.readInt(), in.readInt());
            } catch (EOFException e) {
                throw new IOException(file + ": truncated record", e);
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** Quicksort of the parallel arrays by (hi, lo, index); keys are distinct because indices are. */
    static void sort(long[] hi, long[] lo, int[] idx, int from, int to) {
        while (to - from > 16) {
            int m = (from + to) >>> 1;
            long ph = hi[m], pl = lo[m];
            int pi = idx[m];
            int i = from, j = to;
            while (i <= j) {
                while (less(hi[i], lo[i], idx[i], ph, pl, pi)) i++;
                while (less(ph, pl, pi, hi[j], lo[j], idx[j])) j--;
                if (i <= j) swap(hi, lo, idx, i++, j--);
            }
            if (j - from < to - i) {
                sort(hi, lo, idx, from, j);
                from = i;
            } else {
                sort(hi, lo, idx, i, to);
                to = j;
            }
        }
        for (int i = from + 1; i <= to; i++)
            for (int j = i; j > from && less(hi[j], lo[j], idx[j], hi[j - 1], lo[j - 1], idx[j - 1]); j--) swap(hi, lo, idx, j, j - 1);
    }

    private static boolean less(long h1, long l1, int i1, long h2, long l2, int i2) {
        if (h1 != h2) return h1 < h2;
        if (l1 != l2) return l1 < l2;
        return i1 < i2;
    }

    private static void swap(long[] hi, long[] lo, int[] idx, int i, int j) {
        long t = hi[i];
        hi[i] = hi[j];
        hi[j] = t;
        t = lo[i];
        lo[i] = lo[j];
        lo[j] = t;
        int u = idx[i];
        idx[i] = idx[j];
        idx[j] = u;
    }
}
