package wanka.dist.inproc;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import wanka.dist.DataType;
import wanka.dist.ReduceOp;

/**
 * The arithmetic of the in-process collectives: element-wise reductions that combine the inputs in list
 * order (rank order), so each element is {@code ((x0 + x1) + x2) + …} whatever thread computes it.
 */
final class Kernels {
    /** Elements per step; the working arrays stay in L1/L2. */
    private static final int BLOCK = 4096;

    private Kernels() {}

    /**
     * Reduces the equally long {@code inputs} element-wise, in order, and writes the result to every one of
     * {@code outputs}. An output may be one of the inputs: each block is read in full before it is written.
     */
    static void reduce(DataType type, ReduceOp op, List<MemorySegment> inputs, List<MemorySegment> outputs) {
        long n = inputs.getFirst().byteSize() / type.byteSize();
        switch (type) {
            case FLOAT -> floats(op, inputs, outputs, n);
            case DOUBLE -> doubles(op, inputs, outputs, n);
            case LONG -> longs(op, inputs, outputs, n);
            case BYTE -> throw new IllegalArgumentException("cannot reduce bytes");
        }
    }

    static void copy(MemorySegment from, MemorySegment to) {
        MemorySegment.copy(from, 0, to, 0, from.byteSize());
    }

    private static void floats(ReduceOp op, List<MemorySegment> in, List<MemorySegment> out, long n) {
        ValueLayout.OfFloat l = ValueLayout.JAVA_FLOAT_UNALIGNED;
        float[] acc = new float[(int) Math.min(BLOCK, n)];
        float[] x = new float[acc.length];
        for (long base = 0; base < n; base += BLOCK) {
            int len = (int) Math.min(BLOCK, n - base);
            long at = base * Float.BYTES;
            MemorySegment.copy(in.getFirst(), l, at, acc, 0, len);
            for (int k = 1; k < in.size(); k++) {
                MemorySegment.copy(in.get(k), l, at, x, 0, len);
                if (op == ReduceOp.SUM) {
                    for (int i = 0; i < len; i++) {
                        acc[i] += x[i];
                    }
                } else {
                    for (int i = 0; i < len; i++) {
                        acc[i] = Math.max(acc[i], x[i]);
                    }
                }
            }
            for (MemorySegment o : out) {
                MemorySegment.copy(acc, 0, o, l, at, len);
            }
        }
    }

    private static void doubles(ReduceOp op, List<MemorySegment> in, List<MemorySegment> out, long n) {
        ValueLayout.OfDouble l = ValueLayout.JAVA_DOUBLE_UNALIGNED;
        double[] acc = new double[(int) Math.min(BLOCK, n)];
        double[] x = new double[acc.length];
        for (long base = 0; base < n; base += BLOCK) {
            int len = (int) Math.min(BLOCK, n - base);
            long at = base * Double.BYTES;
            MemorySegment.copy(in.getFirst(), l, at, acc, 0, len);
            for (int k = 1; k < in.size(); k++) {
                MemorySegment.copy(in.get(k), l, at, x, 0, len);
                if (op == ReduceOp.SUM) {
                    for (int i = 0; i < len; i++) {
                        acc[i] += x[i];
                    }
                } else {
                    for (int i = 0; i < len; i++) {
                        acc[i] = Math.max(acc[i], x[i]);
                    }
                }
            }
            for (MemorySegment o : out) {
                MemorySegment.copy(acc, 0, o, l, at, len);
            }
        }
    }

    private static void longs(ReduceOp op, List<MemorySegment> in, List<MemorySegment> out, long n) {
        ValueLayout.OfLong l = ValueLayout.JAVA_LONG_UNALIGNED;
        long[] acc = new long[(int) Math.min(BLOCK, n)];
        long[] x = new long[acc.length];
        for (long base = 0; base < n; base += BLOCK) {
            int len = (int) Math.min(BLOCK, n - base);
            long at = base * Long.BYTES;
            MemorySegment.copy(in.getFirst(), l, at, acc, 0, len);
            for (int k = 1; k < in.size(); k++) {
                MemorySegment.copy(in.get(k), l, at, x, 0, len);
                if (op == ReduceOp.SUM) {
                    for (int i = 0; i < len; i++) {
                        acc[i] += x[i];
                    }
                } else {
                    for (int i = 0; i < len; i++) {
                        acc[i] = Math.max(acc[i], x[i]);
                    }
                }
            }
            for (MemorySegment o : out) {
                MemorySegment.copy(acc, 0, o, l, at, len);
            }
        }
    }
}
