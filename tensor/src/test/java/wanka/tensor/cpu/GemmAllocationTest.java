package wanka.tensor.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Guards the micro-kernel against falling off the Vector API intrinsics: once compiled, a packed
 * call must allocate little beyond its pack buffers. A boxed kernel allocates a vector object per
 * operation (hundreds of megabytes for this size).
 */
@Tag("slow")
class GemmAllocationTest {

    /** NN, NT and TN: every packing road (A plain or transposed, B plain or transposed) and the micro-kernel. */
    @Test
    void compiledPackedCallAllocatesOnlyItsBuffers() {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int m = 192, n = 192, k = 192;
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        long packBytes = 4L * k * (GemmBlocked.roundUp(n, GemmKernel.NR) + GemmBlocked.MC);
        for (String op : new String[] {"NT", "NN", "TN"}) {
            boolean transA = op.charAt(0) == 'T', transB = op.charAt(1) == 'T';
            long best = Long.MAX_VALUE;
            try (CpuPool pool = CpuPool.ofThreads(1)) {
                for (int round = 0; round < 100 && best > 2 * packBytes; round++) { // until C2 has compiled it
                    long before = mx.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < 20; i++) {
                        Gemm.sgemm(pool, transA, transB, m, n, k, 1f, a, 0, transA ? m : k, b, 0, transB ? k : n, 0f, c, 0, n);
                    }
                    best = Math.min(best, (mx.getCurrentThreadAllocatedBytes() - before) / 20);
                }
            }
            assertThat(best).as("%s: bytes allocated per call (pack buffers %d)", op, packBytes).isLessThan(2 * packBytes);
        }
    }
}
