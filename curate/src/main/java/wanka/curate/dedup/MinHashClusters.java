package wanka.curate.dedup;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Stage 3 of MinHash de-duplication: joins the pairs of all bands with union-find into clusters and keeps one
 * document per cluster, the one with the lowest (task, index); writes per task the list of the others
 * ({@code <remove>/task-NNNNN.bin}, an {@link IdList}), one file for every task that has an ids file (empty lists
 * too). Each file is written under a temporary name and renamed, so a rerun simply rewrites the same lists.
 */
public final class MinHashClusters {

    /** What a run found: documents, pairs read, clusters of two or more, documents to remove. */
    public record Result(long docs, long pairs, long clusters, long removed) {
    }

    private MinHashClusters() {
    }

    /** Runs the stage on {@code <dir>/buckets} and {@code <dir>/ids}, writing {@code <dir>/remove}. */
    public static Result run(Path dir) throws IOException {
        return run(dir.resolve("buckets"), dir.resolve("ids"), dir.resolve("remove"));
    }

    public static Result run(Path bucketsDir, Path idsDir, Path removeDir) throws IOException {
        List<Path> idFiles = list(idsDir, ".bin");
        if (idFiles.isEmpty()) throw new IOException(idsDir + ": no id lists; run the signature pass first");
        int tasks = 0;
        for (Path p : idFiles) tasks = Math.max(tasks, taskOf(p) + 1);
        long[] offset = new long[tasks + 1];
        for (Path p : idFiles) {
            int[] n = {0};
            IdList.read(p, (id, index) -> n[0] = Math.max(n[0], index + 1));
            offset[taskOf(p) + 1] = n[0];
        }
        for (int t = 0; t < tasks; t++) offset[t + 1] += offset[t];
        if (offset[tasks] > Integer.MAX_VALUE - 8) throw new IOException(idsDir + ": more than 2^31 documents; cluster per shard");
        int[] parent = new int[(int) offset[tasks]];
        for (int i = 0; i < parent.length; i++) parent[i] = i;

        long pairs = 0;
        for (Path p : list(bucketsDir, ".pairs")) {
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(p), 1 << 16))) {
                if (in.readInt() != MinHashBuckets.PAIRS_MAGIC) throw new IOException(p + ": not a wanka pairs file");
                while (true) {
                    int t1;
                    try {
                        t1 = in.readInt();
                    } catch (EOFException e) {
                        break;
                    }
                    int i1 = in.readInt(), t2 = in.readInt(), i2 = in.readInt();
                    union(parent, node(offset, t1, i1, p), node(offset, t2, i2, p));
                    pairs++;
                }
            }
        }

        long clusters = 0, removed = 0;
        boolean[] isRoot = new boolean[parent.length];
        for (int x = 0; x < parent.length; x++) {
            int r = find(parent, x);
            if (r != x) {
                removed++;
                if (!isRoot[r]) {
                    isRoot[r] = true;
                    clusters++;
                }
            }
        }
        Files.createDirectories(removeDir);
        for (Path p : idFiles) {
            int t = taskOf(p);
            long base = offset[t];
            try (IdList.Writer w = new IdList.Writer(IdList.path(removeDir, t))) {
                IOException[] err = {null};
                IdList.read(p, (id, index) -> {
                    int x = (int) (base + index);
                    if (err[0] == null && parent[x] != x) {
                        try {
                            w.add(index, id);
                        } catch (IOException e) {
                            err[0] = e;
                        }
                    }
                });
                if (err[0] != null) throw err[0];
                w.commit();
            }
        }
        return new Result(parent.length, pairs, clusters, removed);
    }

    private static int node(long[] offset, int task, int index, Path file) throws IOException {
        if (task < 0 || task + 1 >= offset.length || index < 0 || offset[task] + index >= offset[task + 1])
            throw new IOException(file + ": pair names task " + task + " index " + index + ", which has no id; were the ids and signatures written by the same run?");
        return (int) (offset[task] + index);
    }

    /** Links the two sets; the root is always the smaller node, i.e. the lowest (task, index). */
    private static void union(int[] parent, int x, int y) {
        int a = find(parent, x), b = find(parent, y);
        if (a < b) parent[b] = a;
        else if (b < a) parent[a] = b;
    }

    private static int find(int[] parent, int x) {
        while (parent[x] != x) {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        return x;
    }

    private static int taskOf(Path p) throws IOException {
        String n = p.getFileName().toString();
        try {
            return Integer.parseInt(n.substring(n.indexOf('-') + 1, n.indexOf('.')));
        } catch (RuntimeException e) {
            throw new IOException(p + ": expected a name like task-00000.bin");
        }
    }

    private static List<Path> list(Path dir, String suffix) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException(dir + ": no such folder");
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

}
