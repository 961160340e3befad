package wanka.curate.dedup;

import wanka.io.AtomicFiles;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Stage 2 of MinHash de-duplication (datatrove's "buckets"): for each band, merges the sorted per-task signature
 * files and, for every run of records with the same band key, emits the pairs (first record, each later one) to
 * {@code <out>/band-BB.pairs} (records of four ints: task, index, task, index after a 4-byte magic). Bands run in
 * parallel; a band whose pairs file exists is skipped, so a killed run resumes (delete the folder to recompute).
 */
public final class MinHashBuckets {
    static final int PAIRS_MAGIC = 0x57504152; // "WPAR"

    /** What a run did: bands merged now (the rest were already done), records read, pairs written by those bands. */
    public record Result(int bandsMerged, long records, long pairs) {
    }

    private MinHashBuckets() {
    }

    /** The pairs file of one band. */
    public static Path pairsPath(Path outDir, int band) {
        return outDir.resolve(String.format("band-%02d.pairs", band));
    }

    /** Runs the stage on {@code <dir>/sigs}, writing {@code <dir>/buckets}. */
    public static Result run(Path dir, int bands, int workers) throws IOException {
        return run(dir.resolve("sigs"), dir.resolve("buckets"), bands, workers);
    }

    public static Result run(Path sigsDir, Path outDir, int bands, int workers) throws IOException {
        for (int b = 0; b < bands; b++)
            if (!Files.isDirectory(SigFile.bandDir(sigsDir, b))) throw new IOException(sigsDir + ": no folder for band " + b + " (bands = " + bands + "); did the signature pass run with other options?");
        if (Files.isDirectory(SigFile.bandDir(sigsDir, bands))) throw new IOException(sigsDir + ": has more than " + bands + " band folders; pass the signature step's bands");
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(workers, bands)));
        try {
            List<Future<long[]>> futures = new ArrayList<>();
            for (int b = 0; b < bands; b++) {
                int band = b;
                futures.add(pool.submit(() -> mergeBand(SigFile.bandDir(sigsDir, band), pairsPath(outDir, band))));
            }
            int merged = 0;
            long records = 0, pairs = 0;
            for (Future<long[]> f : futures) {
                long[] r = f.get();
                if (r == null) continue;
                merged++;
                records += r[0];
                pairs += r[1];
            }
            return new Result(merged, records, pairs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Merges one band; returns {records, pairs}, or null when its output already exists. */
    static long[] mergeBand(Path bandDir, Path out) throws IOException {
        if (Files.isRegularFile(out)) return null;
        List<Path> files;
        try (Stream<Path> s = Files.list(bandDir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".bin")).sorted().toList();
        }
        record Cursor(SigFile.Entry head, SigFile.Reader reader, Path file) {
        }
        PriorityQueue<Cursor> queue = new PriorityQueue<>((x, y) -> x.head().compareTo(y.head()));
        List<SigFile.Reader> readers = new ArrayList<>();
        long records = 0, pairs = 0;
        try (AtomicFiles.Output f = AtomicFiles.open(out)) {
            DataOutputStream o = new DataOutputStream(f.stream());
            o.writeInt(PAIRS_MAGIC);
            for (Path p : files) {
                SigFile.Reader r = new SigFile.Reader(p);
                readers.add(r);
                SigFile.Entry e = r.next();
                if (e != null) queue.add(new Cursor(e, r, p));
            }
            SigFile.Entry first = null;
            while (!queue.isEmpty()) {
                Cursor c = queue.poll();
                SigFile.Entry e = c.head();
                records++;
                if (first != null && first.sameKey(e)) {
                    o.writeInt(first.task());
                    o.writeInt(first.index());
                    o.writeInt(e.task());
                    o.writeInt(e.index());
                    pairs++;
                } else {
                    first = e;
                }
                SigFile.Entry next = c.reader().next();
                if (next != null) {
                    if (next.compareTo(e) < 0) throw new IOException(c.file() + ": records are not sorted");
                    queue.add(new Cursor(next, c.reader(), c.file()));
                }
            }
            f.commit();
        } finally {
            for (SigFile.Reader r : readers) r.close();
        }
        return new long[]{records, pairs};
    }

}
