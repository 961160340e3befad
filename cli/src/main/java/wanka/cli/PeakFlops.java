package wanka.cli;

import wanka.tensor.CpuDevice;
import wanka.tensor.cpu.Gemm;

/** Measures this machine's FP32 GEMM rate once (~0.3 s): the yardstick MFU is reported against on CPUs. */
final class PeakFlops {
    private PeakFlops() {
    }

    static double measure(CpuDevice device) {
        int n = 512;
        float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
        java.util.Arrays.fill(a, 0.5f);
        java.util.Arrays.fill(b, 0.25f);
        double best = 0;
        for (int i = 0; i < 8; i++) {
            long t = System.nanoTime();
            Gemm.sgemm(device.pool(), false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
            double s = (System.nanoTime() - t) / 1e9;
            best = Math.max(best, 2.0 * n * n * n / s / 1e9);
        }
        return best;
    }
}
