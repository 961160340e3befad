package wanka.curate.dedup;

import wanka.curate.pipeline.Document;
import wanka.curate.pipeline.Step;
import wanka.curate.pipeline.StepContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Pipeline step {@code exact_dedup}: drops a document whose (optionally {@link TextNorm normalised}) text has the
 * same 128-bit hash as an earlier one of the task (reason {@code exact_duplicate}), keeping the first. With a
 * {@code dir}, it also writes the kept documents' hashes as a one-band signature set ({@code <dir>/sigs/band-00/})
 * plus {@code <dir>/ids/}, so that {@link MinHashBuckets} and {@link MinHashClusters} with {@code bands = 1} find
 * the duplicates across tasks.
 */
public final class ExactDedup implements Step {
    private final boolean normalize;
    private final Path sigsDir;
    private final int task;
    private final IdList.Writer ids;
    private final Set<Hashes.Hash128> seen = new HashSet<>();
    private long[] hi = new long[256], lo = new long[256];
    private int[] index = new int[256];
    private int docs, kept;

    /** {@code dir} is null for dedup within the task only. */
    public ExactDedup(boolean normalize, Path dir, int task) throws IOException {
        this.normalize = normalize;
        this.task = task;
        this.sigsDir = dir == null ? null : dir.resolve("sigs");
        this.ids = dir == null ? null : new IdList.Writer(IdList.path(dir.resolve("ids"), task));
    }

    @Override
    public String name() {
        return "exact_dedup";
    }

    @Override
    public Document apply(Document doc, StepContext ctx) throws IOException {
        int i = docs++;
        Hashes.Hash128 h = Hashes.hash128(normalize ? TextNorm.normalize(doc.text()) : doc.text());
        if (!seen.add(h)) {
            ctx.drop("exact_duplicate");
            return null;
        }
        if (ids != null) {
            ids.add(i, doc.id());
            if (kept == index.length) {
                hi = Arrays.copyOf(hi, 2 * kept);
                lo = Arrays.copyOf(lo, 2 * kept);
                index = Arrays.copyOf(index, 2 * kept);
            }
            hi[kept] = h.hi();
            lo[kept] = h.lo();
            index[kept++] = i;
        }
        return doc;
    }

    @Override
    public void finish(StepContext ctx) throws IOException {
        if (ids == null) return;
        SigFile.write(SigFile.path(sigsDir, 0, task), hi, lo, index, kept, task);
        ids.commit();
    }

    @Override
    public void close() throws IOException {
        if (ids != null) ids.close();
    }
}
