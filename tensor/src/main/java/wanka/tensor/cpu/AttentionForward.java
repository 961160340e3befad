package wanka.tensor.cpu;

import static wanka.tensor.cpu.AttentionKernels.LANES;
import static wanka.tensor.cpu.AttentionKernels.SPECIES;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * One worker's forward pass over query tiles, with its own tile buffers. A tile is {@code nq}
 * consecutive queries of one sequence times the {@code group} query heads of one kv head; its
 * {@code nq * group} rows are ordered query-major ({@code row = query * group + head}), so all of
 * them share each key/value tile and the causal limit is a threshold on the row index.
 */
final class AttentionForward {

    private final AttentionShape s;
    private final AttentionOperand q, k, v, out;
    private final float[] lse;
    private final AttentionSegments segments;
    private final int[] rowStart; // [rowsPad]: first key each row may attend (segment masking)
    private final int group, dimPad, keyTile;
    private final float[] qt;     // [headDim][rowsPad]: scaled queries, transposed
    private final float[] scores; // [keyTile][rowsPad]: scores, then probabilities, transposed
    private final float[] vt;     // [keyTile][dimPad]: value tile
    private final float[] acc;    // [rowsPad][dimPad]: unnormalised output
    private final float[] max, sum, alpha; // [rowsPad]

    AttentionForward(AttentionShape s, AttentionOperand q, AttentionOperand k, AttentionOperand v,
                     AttentionOperand out, float[] lse, AttentionSegments segments, int maxRows, int keyTile) {
        this.s = s;
        this.q = q;
        this.k = k;
        this.v = v;
        this.out = out;
        this.lse = lse;
        this.segments = segments;
        this.group = s.groupSize();
        this.dimPad = AttentionKernels.padded(s.headDim());
        this.keyTile = keyTile;
        int rowsPad = AttentionKernels.padded(maxRows);
        this.qt = new float[s.headDim() * rowsPad];
        this.scores = new float[keyTile * rowsPad];
        this.vt = new float[keyTile * dimPad];
        this.acc = new float[rowsPad * dimPad];
        this.max = new float[rowsPad];
        this.sum = new float[rowsPad];
        this.alpha = new float[rowsPad];
        this.rowStart = new int[rowsPad];
    }

    /** Attention of queries {@code i0 .. i0+nq-1} of sequence {@code b} for the query heads of kv head {@code kvh}. */
    void tile(int b, int kvh, int i0, int nq) {
        final int dim = s.headDim();
        final int rows = nq * group;
        final int rp = AttentionKernels.padded(rows);
        final int h0 = kvh * group;
        final float scale = s.scale();
        float[] qd = q.data();
        for (int r = 0; r < rows; r++) {
            int qi = q.index(b, i0 + r / group, h0 + r % group);
            for (int x = 0; x < dim; x++) qt[x * rp + r] = qd[qi + x] * scale;
        }
        for (int r = rows; r < rp; r++) {
            for (int x = 0; x < dim; x++) qt[x * rp + r] = 0f;
        }
        Arrays.fill(max, 0, rp, Float.NEGATIVE_INFINITY);
        Arrays.fill(sum, 0, rp, 0f);
        Arrays.fill(acc, 0, rp * dimPad, 0f);

        final int firstQuery = s.queryStart() + i0;  // absolute position of the tile's first query
        final int keyEnd = firstQuery + nq;           // keys past the last query are never needed
        final int keyBegin = segments == null ? 0 : segments.start(b, firstQuery); // keys before it are in other samples
        final int lastStart = segments == null ? 0 : segments.start(b, keyEnd - 1);
        if (segments != null) {
            for (int r = 0; r < rows; r++) rowStart[r] = segments.start(b, firstQuery + r / group);
        }
        for (int j0 = keyBegin; j0 < keyEnd; j0 += keyTile) {
            int nk = Math.min(keyTile, keyEnd - j0);
            AttentionKernels.rowsTimesTransposed(k.data(), k.index(b, j0, kvh), k.tokenStride(), nk, dim,
                    qt, rp, scores, rp);
            if (j0 + nk - 1 > firstQuery) {
                AttentionKernels.maskCausal(scores, rp, nk, rp, j0 - firstQuery, group);
            }
            if (j0 < lastStart) AttentionKernels.maskBefore(scores, rp, nk, rows, j0, rowStart);
            softmaxUpdate(nk, rp);
            if (j0 > 0) rescale(rows);
            float[] vd = v.data();
            for (int j = 0; j < nk; j++) System.arraycopy(vd, v.index(b, j0 + j, kvh), vt, j * dimPad, dim);
            AttentionKernels.accumulateProduct(acc, 0, dimPad, rows, scores, 0, 1, rp, nk, vt, 0, dimPad, dimPad);
        }

        float[] od = out.data();
        int hs = s.heads(), sq = s.queryLen();
        for (int r = 0; r < rows; r++) {
            int i = i0 + r / group, h = h0 + r % group;
            AttentionKernels.scaleInto(acc, r * dimPad, 1f / sum[r], od, out.index(b, i, h), dim);
            if (lse != null) lse[(b * hs + h) * sq + i] = max[r] + (float) Math.log(sum[r]);
        }
    }

    /**
     * Online softmax over one key tile: new row maxima, probabilities in place, rescaled row sums. A row whose keys so
     * far are all masked (possible only with segments) keeps max −∞, sum 0 and probabilities 0: it subtracts 0
     * instead of its −∞ maximum, so no −∞ − (−∞) = NaN arises.
     */
    private void softmaxUpdate(int nk, int rp) {
        for (int r = 0; r < rp; r += LANES) {
            FloatVector oldMax = FloatVector.fromArray(SPECIES, max, r);
            FloatVector m = oldMax;
            for (int j = 0, o = r; j < nk; j++, o += rp) m = m.max(FloatVector.fromArray(SPECIES, scores, o));
            FloatVector safe = m.blend(0f, m.compare(VectorOperators.EQ, Float.NEGATIVE_INFINITY));
            FloatVector total = FloatVector.zero(SPECIES);
            for (int j = 0, o = r; j < nk; j++, o += rp) {
                FloatVector p = KernelMath.exp(FloatVector.fromArray(SPECIES, scores, o).sub(safe));
                p.intoArray(scores, o);
                total = total.add(p);
            }
            FloatVector a = KernelMath.exp(oldMax.sub(safe));
            a.intoArray(alpha, r);
            m.intoArray(max, r);
            FloatVector.fromArray(SPECIES, sum, r).fma(a, total).intoArray(sum, r);
        }
    }

    private void rescale(int rows) {
        for (int r = 0; r < rows; r++) {
            float a = alpha[r];
            if (a == 1f) continue;
            FloatVector f = FloatVector.broadcast(SPECIES, a);
            for (int d = r * dimPad, end = d + dimPad; d < end; d += LANES) {
                FloatVector.fromArray(SPECIES, acc, d).mul(f).intoArray(acc, d);
            }
        }
    }
}
