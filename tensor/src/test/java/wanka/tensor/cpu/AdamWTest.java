package wanka.tensor.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static wanka.tensor.cpu.KernelTesting.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class AdamWTest {
    private static final AdamW OPT = new AdamW(0.9, 0.95, 1e-8, 0.1);
    private static CpuPool one;
    private static CpuPool two;

    @BeforeAll
    static void pools() {
        one = CpuPool.ofThreads(1);
        two = CpuPool.ofThreads(2);
    }

    @AfterAll
    static void close() {
        one.close();
        two.close();
    }

    /** The textbook AdamW formula in double, one step, in place. */
    static void refStep(double[] p, double[] g, double[] m, double[] v, int t, double lr, double b1, double b2, double eps, double wd) {
        for (int i = 0; i < p.length; i++) {
            p[i] -= lr * wd * p[i];
            m[i] = b1 * m[i] + (1 - b1) * g[i];
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
            double mHat = m[i] / (1 - Math.pow(b1, t));
            double vHat = v[i] / (1 - Math.pow(b2, t));
            p[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
        }
    }

    @Test
    void matchesDoubleReferenceOverSeveralSteps() {
        for (int len : new int[] {1, 7, 16, 33, 130, 1376, 40_000}) check(new Random(len), len);
    }

    private void check(Random rnd, int len) {
        float[] p0 = uniform(rnd, len, 1);
        float[][] grads = new float[5][];
        for (int s = 0; s < grads.length; s++) {
            grads[s] = uniform(rnd, len, 0.01);
            if (len > 3) grads[s][3] = 0; // zero gradient element: only decay moves it
        }
        double[] p = toDouble(p0), m = new double[len], v = new double[len];
        float[][] pf = new float[2][], mf = new float[2][], vf = new float[2][];
        CpuPool[] pools = {one, two};
        for (int k = 0; k < 2; k++) {
            pf[k] = RmsNormTest.shift(p0, 1);
            mf[k] = new float[len + 2];
            vf[k] = new float[len + 3];
        }
        for (int s = 0; s < grads.length; s++) {
            double lr = 1e-3 * (1 + s); // changing learning rate, as under a schedule
            refStep(p, toDouble(grads[s]), m, v, s + 1, lr, 0.9, 0.95, 1e-8, 0.1);
            float[] g = RmsNormTest.shift(grads[s], 4);
            for (int k = 0; k < 2; k++) OPT.step(pools[k], lr, s + 1, len, pf[k], 1, g, 4, mf[k], 2, vf[k], 3);
        }
        String what = " (len " + len + ")";
        assertClose("p" + what, RmsNormTest.unshift(pf[0], 1), p, 1e-6, 1e-6);
        assertClose("m" + what, RmsNormTest.unshift(mf[0], 2), m, 1e-5, 1e-9);
        assertClose("v" + what, RmsNormTest.unshift(vf[0], 3), v, 1e-5, 1e-12);
        assertThat(pf[1]).as("p 1 vs 2 threads" + what).isEqualTo(pf[0]);
        assertThat(mf[1]).as("m 1 vs 2 threads" + what).isEqualTo(mf[0]);
        assertThat(vf[1]).as("v 1 vs 2 threads" + what).isEqualTo(vf[0]);
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> new AdamW(1.0, 0.95, 1e-8, 0)).hasMessageContaining("beta1");
        float[] a = new float[4];
        assertThatThrownBy(() -> OPT.step(one, 1e-3, 0, 4, a, 0, a, 0, a, 0, a, 0)).hasMessageContaining("step");
        assertThatThrownBy(() -> OPT.step(one, 1e-3, 1, 4, a, 0, a, 0, a, 0, new float[3], 0)).hasMessageContaining("v");
    }

    /** Cross-check against torch.optim.AdamW when Debian's python3-torch is installed. */
    @Test
    @Tag("slow")
    void matchesTorchOptimAdamW() throws Exception {
        Assumptions.assumeTrue(torchAvailable(), "python3 with torch not installed: skipping the torch.optim.AdamW cross-check");
        Random rnd = new Random(15);
        int len = 37, steps = 6;
        double lr = 3e-3;
        float[] p0 = uniform(rnd, len, 1);
        float[][] grads = new float[steps][];
        for (int s = 0; s < steps; s++) grads[s] = uniform(rnd, len, 0.05);
        StringBuilder in = new StringBuilder();
        in.append(line(p0)).append('\n');
        for (float[] g : grads) in.append(line(g)).append('\n');
        String script = String.join("\n",
                "import sys, torch",
                "rows = [[float(t) for t in l.split()] for l in sys.stdin.read().strip().split('\\n')]",
                "p = torch.tensor(rows[0], dtype=torch.float32, requires_grad=True)",
                "opt = torch.optim.AdamW([p], lr=" + lr + ", betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)",
                "for g in rows[1:]:",
                "    p.grad = torch.tensor(g, dtype=torch.float32)",
                "    opt.step()",
                "print(' '.join(repr(float(t)) for t in p.detach().tolist()))");
        Process proc = new ProcessBuilder("/usr/bin/python3", "-c", script).redirectErrorStream(true).start();
        proc.getOutputStream().write(in.toString().getBytes(StandardCharsets.UTF_8));
        proc.getOutputStream().close();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(proc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(proc.exitValue()).as("python output: %s", out).isZero();
        String[] lastLine = out.substring(out.lastIndexOf('\n') + 1).split(" ");
        double[] torchP = new double[len];
        for (int i = 0; i < len; i++) torchP[i] = Double.parseDouble(lastLine[i]);

        float[] p = p0.clone(), m = new float[len], v = new float[len];
        for (int s = 0; s < steps; s++) OPT.step(one, lr, s + 1, len, p, 0, grads[s], 0, m, 0, v, 0);
        assertClose("p vs torch", p, torchP, 1e-6, 1e-7);
    }

    private static String line(float[] a) {
        StringBuilder sb = new StringBuilder();
        for (float f : a) sb.append(String.format(Locale.ROOT, "%.9e ", f));
        return sb.toString().trim();
    }

    private static boolean torchAvailable() {
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import torch").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
