package wanka.dist.inproc;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorSpecies;
import wanka.dist.DataType;
import wanka.dist.ReduceOp;

/**
 * The arithmetic of the in-process collectives: element-wise reductions that combine the inputs in list
 * order (rank order), so each element is {@code ((x0 + x1) + x2) + …} whatever thread computes it and however
 * wide its vectors are (lane-wise additions in the same order round the same way as scalar ones). The inputs are
 * read and the outputs written in place, vector by vector, with no intermediate arrays.
 */
final class Kernels {
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble D = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED;

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
        long step = FS.length(), bytes = Float.BYTES, vectors = n - n % step;
        for (long i = 0; i < vectors; i += step) {
            long at = i * bytes;
            FloatVector acc = FloatVector.fromMemorySegment(FS, in[0], at, ORDER);
            for (int k = 1; k < in.length; k++) {
                FloatVector x = FloatVector.fromMemorySegment(FS, in[k], at, ORDER);
                acc = sum ? acc.add(x) : acc.max(x);
            }
            for (MemorySegment o : out) acc.intoMemorySegment(o, at, ORDER);
        }
        for (long i = vectors; i < n; i++) {
            long at = i * bytes;
            float acc = in[0].get(F, at);
            for (int k = 1; k < in.length; k++) acc = sum ? acc + in[k].get(F, at) : Math.max(acc, in[k].get(F, at));
            for (MemorySegment o : out) o.set(F, at, acc);
        }
    }

    private static void doubles(boolean sum, MemorySegment[] in, MemorySegment[] out, long n) {
        long step = DS.length(), bytes = Double.BYTES, vectors = n - n % step;
        for (long i = 0; i < vectors; i += step) {
            long at = i * bytes;
            DoubleVector acc = DoubleVector.fromMemorySegment(DS, in[0], at, ORDER);
            for (int k = 1; k < in.length; k++) {
                DoubleVector x = DoubleVector.fromMemorySegment(DS, in[k], at, ORDER);
                acc = sum ? acc.add(x) : acc.max(x);
            }
            for (MemorySegment o : out) acc.intoMemorySegment(o, at, ORDER);
        }
        for (long i = vectors; i < n; i++) {
            long at = i * bytes;
            double acc = in[0].get(D, at);
            for (int k = 1; k < in.length; k++) acc = sum ? acc + in[k].get(D, at) : Math.max(acc, in[k].get(D, at));
            for (MemorySegment o : out) o.set(D, at, acc);
        }
    }

    private static void longs(boolean sum, MemorySegment[] in, MemorySegment[] out, long n) {
        long step = LS.length(), bytes = Long.BYTES, vectors = n - n % step;
        for (long i = 0; i < vectors; i += step) {
            long at = i * bytes;
            LongVector acc = LongVector.fromMemorySegment(LS, in[0], at, ORDER);
            for (int k = 1; k < in.length; k++) {
                LongVector x = LongVector.fromMemorySegment(LS, in[k], at, ORDER);
                acc = sum ? acc.add(x) : acc.max(x);
            }
            for (MemorySegment o : out) acc.intoMemorySegment(o, at, ORDER);
        }
        for (long i = vectors; i < n; i++) {
            long at = i * bytes;
            long acc = in[0].get(L, at);
            for (int k = 1; k < in.length; k++) acc = sum ? acc + in[k].get(L, at) : Math.max(acc, in[k].get(L, at));
            for (MemorySegment o : out) o.set(L, at, acc);
        }
    }
}
