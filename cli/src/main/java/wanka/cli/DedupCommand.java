package wanka.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wanka.curate.dedup.MinHashBuckets;
import wanka.curate.dedup.MinHashClusters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

@Command(name = "dedup", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The middle stages of MinHash near-duplicate removal (datatrove's buckets and clusters), between two pipeline passes:",
                "  1. a pipeline with `- {type: minhash_signatures, dir: DIR}` writes DIR/sigs/ and DIR/ids/ (any number of tasks/machines);",
                "  2. this command merges the sorted signatures band by band into DIR/buckets/ (bands in parallel) and joins the",
                "     pairs with union-find into DIR/remove/task-NNNNN.bin, keeping the first document of every cluster;",
                "  3. a second pipeline over the same inputs, in another --out, with `- {type: minhash_filter, dir: DIR}` drops them.",
                "Both stages resume: finished bands are skipped and the remove lists are rewritten whole."},
        footer = {"", "Example:", "  wanka data run sigs.yaml --out runs/sigs && wanka data dedup --dir runs/mh && wanka data run filter.yaml --out runs/clean"})
final class DedupCommand implements Callable<Integer> {
    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The folder the minhash_signatures step wrote (holds sigs/ and ids/).")
    Path dir;

    @Option(names = "--workers", paramLabel = "N", description = "Bands merged in parallel (default: all cores).")
    int workers = Runtime.getRuntime().availableProcessors();

    @Override
    public Integer call() throws IOException {
        Path sigs = dir.resolve("sigs");
        if (!Files.isDirectory(sigs)) throw new IllegalArgumentException(dir + " has no sigs/ folder: run a pipeline with a minhash_signatures step writing to it first");
        int bands;
        try (Stream<Path> s = Files.list(sigs)) {
            bands = (int) s.filter(p -> p.getFileName().toString().matches("band-\\d+") && Files.isDirectory(p)).count();
        }
        if (bands == 0) throw new IllegalArgumentException(sigs + " has no band-NN folders: did the signature pass finish?");
        long t0 = System.nanoTime();
        MinHashBuckets.Result b = MinHashBuckets.run(dir, bands, Math.max(1, workers));
        System.err.printf("buckets: %d bands merged, %,d signatures, %,d candidate pairs (%.1f s)%n", b.bandsMerged(), b.records(), b.pairs(), (System.nanoTime() - t0) / 1e9);
        long t1 = System.nanoTime();
        MinHashClusters.Result c = MinHashClusters.run(dir);
        System.err.printf("clusters: %,d documents, %,d pairs, %,d clusters, %,d documents to remove -> %s (%.1f s)%n",
                c.docs(), c.pairs(), c.clusters(), c.removed(), dir.resolve("remove"), (System.nanoTime() - t1) / 1e9);
        return 0;
    }
}
