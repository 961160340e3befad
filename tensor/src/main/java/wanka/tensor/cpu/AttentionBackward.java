package wanka.tensor.cpu;

import static wanka.tensor.cpu.AttentionKernels.LANES;
import static wanka.tensor.cpu.AttentionKernels.SPECIES;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * One worker's backward pass over whole (sequence, kv head) pairs, with its own buffers. The pair
 * owns dK and dV of its kv head and dQ of its query-head group, so workers never write the same
 * element. Query tiles are the outer loop (each transposed once); dK and dV accumulate over them
 * in buffers as long as the attended keys, dQ of a tile accumulates over its key tiles. The
 * probabilities are recomputed from Q, K and the forward's log-sum-exp.
 */
final class AttentionBackward {

    private final AttentionShape s;
    private final AttentionOperand q, k, v, out, dOut, dq, dk, dv;
    private final float[] lse;
    private final AttentionSegments segments;
    private final int[] rowStart;        // [rowsPad]: first key each row may attend (segment masking)
    private final int group, dimPad, keyTile, keysUsed;
    private final float[] qt, dot;       // [headDim][rowsPad]: scaled queries / output grads, transposed
    private final float[] qn, don;       // [rowsPad][dimPad]: queries / output grads, row-major
    private final float[] rowLse, rowD;  // [rowsPad]: log-sum-exp, rowsum(dO * O)
    private final float[] p, ds;         // [keyTile][rowsPad]: probabilities, score grads, transposed
    private final float[] dqAcc;         // [rowsPad][dimPad]
    private final float[] kn, dkAcc, dvAcc; // [keysUsed][dimPad]

    AttentionBackward(AttentionShape s, AttentionOperand q, AttentionOperand k, AttentionOperand v,
                      AttentionOperand out, AttentionOperand dOut, float[] lse,
                      AttentionOperand dq, AttentionOperand dk, AttentionOperand dv, AttentionSegments segments,
                      int maxRows, int keyTile) {
        this.s = s;
        this.q = q;
        this.k = k;
        this.v = v;
        this.out = out;
        this.dOut = dOut;
        this.lse = lse;
        this.segments = segments;
        this.dq = dq;
        this.dk = dk;
        this.dv = dv;
        this.group = s.groupSize();
        this.dimPad = AttentionKernels.padded(s.headDim());
        this.keyTile = keyTile;
        this.keysUsed = s.queryStart() + s.queryLen();
        int rowsPad = AttentionKernels.padded(maxRows);
        int dim = s.headDim();
        this.qt = new float[dim * rowsPad];
        this.dot = new float[dim * rowsPad];
        this.qn = new float[rowsPad * dimPad];
        this.don = new float[rowsPad * dimPad];
        this.rowLse = new float[rowsPad];
        this.rowD = new float[rowsPad];
        this.p = new float[keyTile * rowsPad];
        this.ds = new float[keyTile * rowsPad];
        this.dqAcc = new float[rowsPad * dimPad];
        this.kn = new float[keysUsed * dimPad];
        this.dkAcc = new float[keysUsed * dimPad];
        this.dvAcc = new float[keysUsed * dimPad];
        this.rowStart = new int[rowsPad];
    }

    /** All gradients of sequence {@code b}, kv head {@code kvh}, in query tiles of {@code tileQueries}. */
    void pair(int b, int kvh, int tileQueries) {
        final int dim = s.headDim();
        float[] kd = k.data();
        for (int j = 0; j < keysUsed; j++) System.arraycopy(kd, k.index(b, j, kvh), kn, j * dimPad, dim);
        Arrays.fill(dkAcc, 0f);
        Arrays.fill(dvAcc, 0f);
        for (int i0 = 0; i0 < s.queryLen(); i0 += tileQueries) {
            queryTile(b, kvh, i0, Math.min(tileQueries, s.queryLen() - i0));
        }
        float scale = s.scale();
        for (int j = 0; j < s.keyLen(); j++) {
            int ki = dk.index(b, j, kvh), vi = dv.index(b, j, kvh);
            if (j < keysUsed) {
                AttentionKernels.scaleInto(dkAcc, j * dimPad, scale, dk.data(), ki, dim);
                AttentionKernels.scaleInto(dvAcc, j * dimPad, 1f, dv.data(), vi, dim);
            } else {
                Arrays.fill(dk.data(), ki, ki + dim, 0f);
                Arrays.fill(dv.data(), vi, vi + dim, 0f);
            }
        }
    }

    private void queryTile(int b, int kvh, int i0, int nq) {
        final int dim = s.headDim();
        final int rows = nq * group;
        final int rp = AttentionKernels.padded(rows);
        final int h0 = kvh * group;
        final float scale = s.scale();
        final float[] qd = q.data(), gd = dOut.data(), od = out.data();
        Arrays.fill(qn, 0, rp * dimPad, 0f);
        Arrays.fill(don, 0, rp * dimPad, 0f);
        Arrays.fill(dqAcc, 0, rp * dimPad, 0f);
        for (int r = 0; r < rows; r++) {
            int i = i0 + r / group, h = h0 + r % group;
            int qi = q.index(b, i, h), gi = dOut.index(b, i, h);
            for (int x = 0; x < dim; x++) {
                qt[x * rp + r] = qd[qi + x] * scale;
                dot[x * rp + r] = gd[gi + x];
            }
            System.arraycopy(qd, qi, qn, r * dimPad, dim);
            System.arraycopy(gd, gi, don, r * dimPad, dim);
            rowLse[r] = lse[(b * s.heads() + h) * s.queryLen() + i];
            rowD[r] = AttentionKernels.dot(gd, gi, od, out.index(b, i, h), dim);
        }
        for (int r = rows; r < rp; r++) {
            for (int x = 0; x < dim; x++) {
                qt[x * rp + r] = 0f;
                dot[x * rp + r] = 0f;
            }
            rowLse[r] = Float.POSITIVE_INFINITY; // padding rows get probability 0
            rowD[r] = 0f;
        }

        final int firstQuery = s.queryStart() + i0;
        final int keyEnd = firstQuery + nq;
        final int keyBegin = segments == null ? 0 : segments.start(b, firstQuery);
        final int lastStart = segments == null ? 0 : segments.start(b, keyEnd - 1);
        if (segments != null) {
            for (int r = 0; r < rows; r++) rowStart[r] = segments.start(b, firstQuery + r / group);
        }
        for (int j0 = keyBegin; j0 < keyEnd; j0 += keyTile) {
            int nk = Math.min(keyTile, keyEnd - j0);
            AttentionKernels.rowsTimesTransposed(k.data(), k.index(b, j0, kvh), k.tokenStride(), nk, dim, qt, rp, p, rp);
            if (j0 + nk - 1 > firstQuery) AttentionKernels.maskCausal(p, rp, nk, rp, j0 - firstQuery, group);
            if (j0 < lastStart) AttentionKernels.maskBefore(p, rp, nk, rows, j0, rowStart);
            probabilities(nk, rp);
            // dV += P^T dO
            AttentionKernels.accumulateProduct(dvAcc, j0 * dimPad, dimPad, nk, p, 0, rp, 1, rows, don, 0, dimPad, dimPad);
            // dP^T = V dO^T, then dS = P * (dP - D)
            AttentionKernels.rowsTimesTransposed(v.data(), v.index(b, j0, kvh), v.tokenStride(), nk, dim, dot, rp, ds, rp);
            scoreGrads(nk, rp);
            // dK += dS^T Q ; dQ += dS K   (both still without the scale)
            AttentionKernels.accumulateProduct(dkAcc, j0 * dimPad, dimPad, nk, ds, 0, rp, 1, rows, qn, 0, dimPad, dimPad);
            AttentionKernels.accumulateProduct(dqAcc, 0, dimPad, rows, ds, 0, 1, rp, nk, kn, j0 * dimPad, dimPad, dimPad);
        }
        float[] gq = dq.data();
        for (int r = 0; r < rows; r++) {
            AttentionKernels.scaleInto(dqAcc, r * dimPad, scale, gq, dq.index(b, i0 + r / group, h0 + r % group), dim);
        }
    }

    /** {@code p = exp(scores - lse)} in place. */
    private void probabilities(int nk, int rp) {
        for (int r = 0; r < rp; r += LANES) {
            FloatVector l = FloatVector.fromArray(SPECIES, rowLse, r);
            for (int j = 0, o = r; j < nk; j++, o += rp) {
                KernelMath.exp(FloatVector.fromArray(SPECIES, p, o).sub(l)).intoArray(p, o);
            }
        }
    }

    /** {@code ds = p * (ds - D)} in place, where {@code ds} holds dP on entry. */
    private void scoreGrads(int nk, int rp) {
        for (int r = 0; r < rp; r += LANES) {
            FloatVector d = FloatVector.fromArray(SPECIES, rowD, r);
            for (int j = 0, o = r; j < nk; j++, o += rp) {
                FloatVector.fromArray(SPECIES, ds, o).sub(d).mul(FloatVector.fromArray(SPECIES, p, o)).intoArray(ds, o);
            }
        }
    }
}
