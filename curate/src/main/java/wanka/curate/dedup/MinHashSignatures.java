package wanka.curate.dedup;

import wanka.curate.pipeline.Document;
import wanka.curate.pipeline.Step;
import wanka.curate.pipeline.StepContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Pipeline step {@code minhash_signatures}: computes each document's MinHash signature and, when the task ends,
 * writes per band a sorted file of {@code (band key, task, doc index)} to {@code <dir>/sigs/band-BB/task-NNNNN.bin}
 * and the ids of the documents it saw to {@code <dir>/ids/task-NNNNN.bin}. Documents pass on unchanged; a document
 * without any token gets no signature (counter {@code no_shingles}) and is never a near-duplicate.
 */
public final class MinHashSignatures implements Step {
    private final MinHasher hasher;
    private final boolean normalize;
    private final Path sigsDir;
    private final int task, bands;
    private final IdList.Writer ids;
    private final long[][] hi, lo;
    private int[] index = new int[256];
    private final long[] key = new long[2];
    private int docs, signed;

    public MinHashSignatures(MinHasher.Params params, boolean normalize, Path dir, int task) throws IOException {
        this.hasher = new MinHasher(params);
        this.normalize = normalize;
        this.sigsDir = dir.resolve("sigs");
        this.task = task;
        this.bands = params.bands();
        this.hi = new long[bands][256];
        this.lo = new long[bands][256];
        this.ids = new IdList.Writer(IdList.path(dir.resolve("ids"), task));
    }

    @Override
    public String name() {
        return "minhash_signatures";
    }

    @Override
    public Document apply(Document doc, StepContext ctx) throws IOException {
        int i = docs++;
        ids.add(i, doc.id());
        long[] sig = hasher.signature(normalize ? TextNorm.normalize(doc.text()) : doc.text());
        if (sig == null) {
            ctx.count("no_shingles", 1);
            return doc;
        }
        if (signed == index.length) grow();
        for (int b = 0; b < bands; b++) {
            hasher.bandKey(sig, b, key);
            hi[b][signed] = key[0];
            lo[b][signed] = key[1];
        }
        index[signed++] = i;
        return doc;
    }

    private void grow() {
        int n = 2 * index.length;
        index = Arrays.copyOf(index, n);
        for (int b = 0; b < bands; b++) {
            hi[b] = Arrays.copyOf(hi[b], n);
            lo[b] = Arrays.copyOf(lo[b], n);
        }
    }

    @Override
    public void finish(StepContext ctx) throws IOException {
        for (int b = 0; b < bands; b++) SigFile.write(SigFile.path(sigsDir, b, task), hi[b], lo[b], index.clone(), signed, task);
        ids.commit();
        ctx.count("signatures", signed);
    }

    @Override
    public void close() throws IOException {
        ids.close();
    }
}
