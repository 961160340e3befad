package wanka.dist.inproc;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import wanka.dist.DataType;
import wanka.dist.ReduceOp;

/**
 * The arithmetic of the in-process collectives: element-wise reductions that combine the inputs in list
 * order (rank order), so each element is {@code ((x0 + x1) + x2) + …} whatever thread computes it and however
 * wide its vectors are (lane-wise additions in the same order round the same way as scalar ones). Float arrays (heap
 * segments, as the trainer's blocking calls pass them) are read and written in place, vector by vector; other memory
 * goes through two small blocks.
 */
final class Kernels {
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble D = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED;
    /** Elements per block when the memory is not a float array's. */
    private static final int BLOCK = 4096;

    private Kernels() {}

    /**
     * Reduces the equally long {@code inputs} element-wise, in order, and writes the result to every one of
     * {@code outputs}. An output may be one of the inputs: each vector of elements is read from every input before
     * it is written to any output.
     */
    static void reduce(DataType type, ReduceOp op, List<MemorySegment> inputs, List<MemorySegment> outputs) {
        MemorySegment[] in = inputs.toArray(MemorySegment[]::new), out = outputs.toArray(MemorySegment[]::new);
        long n = in[0].byteSize() / type.byteSize();
        switch (type) {
            case FLOAT -> floats(op == ReduceOp.SUM, in, out, n);
            case DOUBLE -> doubles(op == ReduceOp.SUM, in, out, n);
            case LONG -> longs(op == ReduceOp.SUM, in, out, n);
            case BYTE -> throw new IllegalArgumentException("cannot reduce bytes");
        }
    }

    static void copy(MemorySegment from, MemorySegment to) {
        MemorySegment.copy(from, 0, to, 0, from.byteSize());
    }

    private static void floats(boolean sum, MemorySegment[] in, MemorySegment[] out, long n) {
        float[][] ia = floatArrays(in), oa = floatArrays(out);
        if (ia != null && oa != null) {
            int[] io = floatOffsets(in), oo = floatOffsets(out);
            arrays(sum, ia, io, oa, oo, (int) n);
            return;
        }
        // Native (or mixed) memory: through two blocks that stay in L1/L2, copied in and out in bulk. (Vector loads
        // straight from segments are fast only while the JIT sees one kind of segment everywhere; once heap and native
        // segments have both passed through the vector API, they fall back to element-wise code, 5-10x slower.)
        float[] acc = new float[(int) Math.min(BLOCK, n)], x = new float[acc.length];
        for (long base = 0; base < n; base += BLOCK) {
            int len = (int) Math.min(BLOCK, n - base);
            long at = base * Float.BYTES;
            MemorySegment.copy(in[0], F, at, acc, 0, len);
            for (int k = 1; k < in.length; k++) {
                MemorySegment.copy(in[k], F, at, x, 0, len);
                arrays(sum, new float[][] {acc, x}, new int[2], new float[][] {acc}, new int[1], len);
            }
            for (MemorySegment o : out) MemorySegment.copy(acc, 0, o, F, at, len);
        }
    }

    /** The reduction on float arrays: vector by vector, every input read before any output is written. */
    private static void arrays(boolean sum, float[][] in, int[] io, float[][] out, int[] oo, int n) {
        int step = FS.length(), vectors = n - n % step;
        for (int i = 0; i < vectors; i += step) {
            FloatVector acc = FloatVector.fromArray(FS, in[0], io[0] + i);
            for (int k = 1; k < in.length; k++) {
                FloatVector x = FloatVector.fromArray(FS, in[k], io[k] + i);
                acc = sum ? acc.add(x) : acc.max(x);
            }
            for (int o = 0; o < out.length; o++) acc.intoArray(out[o], oo[o] + i);
        }
        for (int i = vectors; i < n; i++) {
            float acc = in[0][io[0] + i];
            for (int k = 1; k < in.length; k++) acc = sum ? acc + in[k][io[k] + i] : Math.max(acc, in[k][io[k] + i]);
            for (int o = 0; o < out.length; o++) out[o][oo[o] + i] = acc;
        }
    }

    /** The float arrays behind heap segments, or null when any segment is not a float array's. */
    private static float[][] floatArrays(MemorySegment[] segs) {
        float[][] a = new float[segs.length][];
        for (int i = 0; i < segs.length; i++) {
            if (!(segs[i].heapBase().orElse(null) instanceof float[] f) || segs[i].address() % Float.BYTES != 0) return null;
            a[i] = f;
        }
        return a;
    }

    /** The first element of each heap segment in its array (a heap segment's address is its byte offset there). */
    private static int[] floatOffsets(MemorySegment[] segs) {
        int[] o = new int[segs.length];
        for (int i = 0; i < segs.length; i++) o[i] = Math.toIntExact(segs[i].address() / Float.BYTES);
        return o;
    }

    /** Doubles and longs are the small reductions (norms, losses, counters): element by element. */
    private static void doubles(boolean sum, MemorySegment[] in, MemorySegment[] out, long n) {
        for (long i = 0; i < n; i++) {
            long at = i * Double.BYTES;
            double acc = in[0].get(D, at);
            for (int k = 1; k < in.length; k++) acc = sum ? acc + in[k].get(D, at) : Math.max(acc, in[k].get(D, at));
            for (MemorySegment o : out) o.set(D, at, acc);
        }
    }

    private static void longs(boolean sum, MemorySegment[] in, MemorySegment[] out, long n) {
        for (long i = 0; i < n; i++) {
            long at = i * Long.BYTES;
            long acc = in[0].get(L, at);
            for (int k = 1; k < in.length; k++) acc = sum ? acc + in[k].get(L, at) : Math.max(acc, in[k].get(L, at));
            for (MemorySegment o : out) o.set(L, at, acc);
        }
    }
}
