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
 *     {@code shingle}: {@code words} (default) or {@code chars} ({@link MinHasher}); {@code ngram}, {@code bands},
 *     {@code rows}, {@code seed} (1); with {@code chars} also {@code ngram_cjk}, the length of shingles that start at
 *     a character of a script written without spaces (Han, kana, Thai, …). Defaults: {@code words} as in datatrove
 *     (5 words, 14 bands × 8 rows), {@code chars} the recommendation below ({@link MinHasher.Params#CHARS_DEFAULTS}).
 *     {@code normalize} (true). Documents pass unchanged.</li>
 * <li>{@code minhash_filter} / {@code exact_filter}: {@code dir} (required: the folder the signature step wrote)
 *     drops the documents on {@code <dir>/remove/task-NNNNN.bin} (reason {@code near_duplicate} / {@code exact_duplicate}).</li>
 * </ul>
 *
 * <h2>Which shingles: the recommendation</h2>
 * <b>{@code minhash_signatures} with {@code shingle: chars}</b>: character 6-grams of the normalised text (2-grams from
 * a Han, kana, Thai … character), 30 bands × 6 rows (threshold ≈ 0.57). On {@code wanka bench dedup} (Europarl and
 * Chinese fortunes with planted copies, BENCHMARKS.md) it removes 98.8 % of the copies at 99.5 % precision, and
 * 97.7 % of the copies with 1–5 % of their letters changed by OCR confusions or typos. datatrove's default 5-word
 * shingles at 14 × 8 keep precision (99.9 %) but find only 65 % of the copies and 7 % of those with typos: a changed
 * character breaks every word shingle that holds its word. Character 5-grams at 20 × 5 find more but merge unrelated
 * texts of the same language (91 % precision); shorter shingles need more rows. Character shingles cost more to
 * compute than word shingles (one per character instead of one per word; the signature pass ran at roughly 0.5–0.8×
 * the speed of datatrove's setting) and write 30 band files per task instead of 14.
 *
 * <h2>Running near-duplicate removal (datatrove's four stages)</h2>
 * Pass 1, {@code sigs.yaml} (run root {@code runs/sigs}):
 * <pre>
 * input: {reader: jsonl, paths: [data/*.jsonl]}
 * steps:
 *   - type: exact_dedup                # optional, within each task
 *   - type: minhash_signatures
 *     dir: runs/mh                     # relative to the working directory; shared by all machines
 *     shingle: chars                   # the recommendation: character 6-grams (2 for CJK), 30 bands x 6 rows
 * </pre>
 * Stages 2 and 3, once all pass-1 tasks are done: {@code wanka data dedup --dir runs/mh}, or from Java:
 * <pre>
 * MinHashBuckets.run(Path.of("runs/mh"), 30, 16);   // runs/mh/sigs    -> runs/mh/buckets/band-BB.pairs
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
        r.register("minhash_signatures", "write MinHash signatures for near-duplicate removal, stage 1 of 4 (shingle, ngram, ngram_cjk, bands, rows, seed, dir)."
                + " Recommended: 'shingle: chars' (" + describe(MinHasher.Params.CHARS_DEFAULTS) + "), which also catches copies with a few % of"
                + " characters changed; the default 'shingle: words' (datatrove's " + describe(MinHasher.Params.DEFAULTS) + ") misses most of those", f -> {
            StepOptions o = check(f.options(), "shingle", "ngram", "ngram_cjk", "bands", "rows", "seed", "normalize", "dir");
            MinHasher.Params p = params(o);
            Path dir = o.path("dir", f.layout().output().resolve("minhash"));
            return io(() -> new MinHashSignatures(p, o.bool("normalize", true), dir, f.task()));
        });
        r.register("minhash_filter", "drop the near-duplicates found by the bucket and cluster stages (dir)", f -> filter(f.options(), f.task(), "near_duplicate"));
        r.register("exact_filter", "drop the exact duplicates found across tasks (dir)", f -> filter(f.options(), f.task(), "exact_duplicate"));
    }

    /** The MinHash parameters of a {@code minhash_signatures} step; errors name the step and the option. */
    static MinHasher.Params params(StepOptions o) {
        String shingle = o.string("shingle", "words");
        MinHasher.Params d = switch (shingle) {
            case "words" -> MinHasher.Params.DEFAULTS;
            case "chars" -> MinHasher.Params.CHARS_DEFAULTS;
            default -> throw new IllegalArgumentException("step '" + o.type() + "': option 'shingle' must be words or chars, got " + shingle);
        };
        if (d.shingle() == MinHasher.Shingle.WORDS && o.has("ngram_cjk"))
            throw new IllegalArgumentException("step '" + o.type() + "': option 'ngram_cjk' needs 'shingle: chars' (word shingles count Chinese characters as words)");
        int ngram = o.integer("ngram", d.ngram());
        try {
            return new MinHasher.Params(d.shingle(), ngram, d.shingle() == MinHasher.Shingle.WORDS ? ngram : o.integer("ngram_cjk", d.cjkNgram()),
                    o.integer("bands", d.bands()), o.integer("rows", d.rows()), o.integer("seed", (int) d.seed()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("step '" + o.type() + "': option " + e.getMessage(), e);
        }
    }

    /** E.g. {@code "character 6-grams (CJK 2), 30 bands × 6 rows"}. */
    static String describe(MinHasher.Params p) {
        String n = p.shingle() == MinHasher.Shingle.CHARS ? "character " + p.ngram() + "-grams (CJK " + p.cjkNgram() + ")" : p.ngram() + "-word shingles";
        return n + ", " + p.bands() + " bands × " + p.rows() + " rows";
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
