package wanka.curate.dedup;

import wanka.curate.pipeline.StepOptions;
import wanka.curate.pipeline.StepRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * The de-duplication step types, and how to run de-duplication.
 *
 * <h2>Step types and options</h2>
 * <ul>
 * <li>{@code exact_dedup}: drops repeats of a text within the task (reason {@code exact_duplicate}).
 *     {@code normalize} (default true, see {@link TextNorm}); {@code cross_task} (default false) also writes hashes
 *     for the stages to {@code dir} (default {@code <output>/exact}).</li>
 * <li>{@code minhash_signatures}: writes MinHash band keys and ids to {@code dir} (default {@code <output>/minhash});
 *     {@code ngram} (5), {@code bands} (14), {@code rows} (8), {@code seed} (1) as in datatrove, {@code normalize}
 *     (true). Documents pass unchanged.</li>
 * <li>{@code minhash_filter} / {@code exact_filter}: {@code dir} (required: the folder the signature step wrote)
 *     drops the documents on {@code <dir>/remove/task-NNNNN.bin} (reason {@code near_duplicate} / {@code exact_duplicate}).</li>
 * </ul>
 *
 * <h2>Running near-duplicate removal (datatrove's four stages)</h2>
 * Pass 1, {@code sigs.yaml} (run root {@code runs/sigs}):
 * <pre>
 * input: {reader: jsonl, paths: [data/*.jsonl]}
 * steps:
 *   - type: exact_dedup                # optional, within each task
 *   - type: minhash_signatures
 *     dir: runs/mh                     # relative to the working directory; shared by all machines
 *     bands: 14
 *     rows: 8
 * </pre>
 * Stages 2 and 3, once all pass-1 tasks are done: {@code wanka data dedup --dir runs/mh}, or from Java:
 * <pre>
 * MinHashBuckets.run(Path.of("runs/mh"), 14, 16);   // runs/mh/sigs    -> runs/mh/buckets/band-BB.pairs
 * MinHashClusters.run(Path.of("runs/mh"));          // runs/mh/buckets -> runs/mh/remove/task-NNNNN.bin
 * </pre>
 * Pass 2, {@code dedup.yaml} over the same inputs, in <em>another</em> run root ({@code runs/dedup}, since the first
 * root's done markers would skip every task):
 * <pre>
 * input: {reader: jsonl, paths: [data/*.jsonl]}
 * steps:
 *   - type: exact_dedup
 *   - type: minhash_filter
 *     dir: runs/mh
 *   - type: jsonl_writer
 * </pre>
 * Pass 2 must see the same tasks (the same input list in the same order), since the lists are per task; it
 * matches documents by id, so ids must be unique within a task. Every part resumes: the passes through their done
 * markers, the buckets stage by skipping bands already written, the clusters stage by rewriting its lists; all
 * files appear by rename when complete. For exact dedup across tasks, use {@code exact_dedup} with
 * {@code cross_task: true, dir: runs/ex} in pass 1, {@code MinHashBuckets.run(Path.of("runs/ex"), 1, w)} and
 * {@code MinHashClusters.run(Path.of("runs/ex"))}, and {@code exact_filter} with {@code dir: runs/ex} in pass 2.
 */
public final class DedupSteps {
    private DedupSteps() {
    }

    /** Registers {@code exact_dedup}, {@code exact_filter}, {@code minhash_signatures} and {@code minhash_filter}. */
    public static void register(StepRegistry r) {
        r.register("exact_dedup", "drop exact duplicates by normalised-text hash (normalize; cross_task + dir for a two-pass run across tasks)", f -> {
            StepOptions o = check(f.options(), "normalize", "cross_task", "dir");
            Path dir = o.bool("cross_task", false) ? o.path("dir", f.layout().output().resolve("exact")) : null;
            if (dir == null && o.has("dir")) throw new IllegalArgumentException("step 'exact_dedup': option 'dir' needs 'cross_task: true'");
            return io(() -> new ExactDedup(o.bool("normalize", true), dir, f.task()));
        });
        r.register("minhash_signatures", "write MinHash signatures for near-duplicate removal, stage 1 of 4 (ngram, bands, rows, seed, dir; datatrove defaults 5 : 14 × 8)", f -> {
            StepOptions o = check(f.options(), "ngram", "bands", "rows", "seed", "normalize", "dir");
            MinHasher.Params d = MinHasher.Params.DEFAULTS;
            MinHasher.Params p;
            try {
                p = new MinHasher.Params(o.integer("ngram", d.ngram()), o.integer("bands", d.bands()), o.integer("rows", d.rows()), o.integer("seed", (int) d.seed()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("step 'minhash_signatures': " + e.getMessage(), e);
            }
            Path dir = o.path("dir", f.layout().output().resolve("minhash"));
            return io(() -> new MinHashSignatures(p, o.bool("normalize", true), dir, f.task()));
        });
        r.register("minhash_filter", "drop the near-duplicates found by the bucket and cluster stages (dir)", f -> filter(f.options(), f.task(), "near_duplicate"));
        r.register("exact_filter", "drop the exact duplicates found across tasks (dir)", f -> filter(f.options(), f.task(), "exact_duplicate"));
    }

    private static RemoveFilter filter(StepOptions options, int task, String reason) {
        StepOptions o = check(options, "dir");
        Path dir = o.path("dir", null);
        if (dir == null) throw new IllegalArgumentException("step '" + o.type() + "': option 'dir' (the folder the first pass's signature step wrote) is required");
        return io(() -> new RemoveFilter(o.type(), reason, IdList.path(dir.resolve("remove"), task)));
    }

    private static StepOptions check(StepOptions o, String... known) {
        Set<String> k = Set.of(known);
        for (String key : o.values().keySet())
            if (!k.contains(key)) throw new IllegalArgumentException("step '" + o.type() + "': unknown option '" + key + "'; known: " + String.join(", ", known));
        return o;
    }

    private interface IoSupplier<T> {
        T get() throws IOException;
    }

    private static <T> T io(IoSupplier<T> s) {
        try {
            return s.get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
