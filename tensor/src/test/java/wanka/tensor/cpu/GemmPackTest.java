package wanka.tensor.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The packed layouts against their definition, element by element, whatever road the running species takes (on
 * AVX2 the vector roads, whose 8-float stores write past a step's floats and rely on later stores and the pad):
 * every panel element equals op(A) or op(B) (zero past the block's edge), and nothing is written outside the panels
 * and their pads.
 */
class GemmPackTest {

    private static final float UNTOUCHED = -12345f;

    @ParameterizedTest(name = "transA={0} mc={1} kc={2}")
    @CsvSource({
        "false,1,1", "false,4,7", "false,5,8", "false,6,9", "false,11,16", "false,30,33", "false,143,256", "false,17,255",
        "true,1,1", "true,4,7", "true,5,8", "true,6,9", "true,11,16", "true,30,33", "true,143,256", "true,17,255"})
    void packedAIsOpAInPanels(boolean transA, int mc, int kc) {
        int mr = GemmKernel.MR;
        int i0 = 3, p0 = 2, m = i0 + mc + 1, k = p0 + kc; // A ends right after the block's last step: reads at the edge
        int lda = (transA ? m : k) + (mc % 2);
        SplittableRandom rnd = new SplittableRandom(mc * 31L + kc);
        float[] a = new float[(transA ? k : m) * lda];
        for (int i = 0; i < a.length; i++) a[i] = (float) rnd.nextDouble(-1, 1);
        GemmArgs g = new GemmArgs(transA, false, 1f, a, 0, lda, new float[1], 0, 1, 0f, new float[1], 0, 1);
        int stride = GemmPack.aPanelStride(kc), panels = GemmBlocked.ceilDiv(mc, mr);
        float[] ap = new float[panels * stride + 8];
        Arrays.fill(ap, UNTOUCHED);
        GemmPack.packA(g, i0, mc, p0, kc, ap);
        for (int panel = 0; panel < panels; panel++) {
            for (int p = 0; p < kc; p++) {
                for (int r = 0; r < mr; r++) {
                    int i = panel * mr + r;
                    float want = i < mc ? g.opA(i0 + i, p0 + p) : 0f;
                    assertThat(ap[panel * stride + p * mr + r]).as("panel %d step %d row %d", panel, p, r).isEqualTo(want);
                }
            }
        }
        for (int i = panels * stride; i < ap.length; i++) assertThat(ap[i]).as("ap[%d] past the last pad", i).isEqualTo(UNTOUCHED);
    }

    @ParameterizedTest(name = "transB={0} nc={1} kc={2}")
    @CsvSource({"false,1,1", "false,17,9", "false,64,33", "false,100,256", "true,1,1", "true,17,9", "true,64,33", "true,100,256"})
    void packedBIsOpBInPanels(boolean transB, int nc, int kc) {
        int nr = GemmKernel.NR;
        int j0 = 5, p0 = 3, n = j0 + nc + 2, k = p0 + kc + 1;
        int ldb = (transB ? k : n) + 1;
        SplittableRandom rnd = new SplittableRandom(nc * 17L + kc);
        float[] b = new float[(transB ? n : k) * ldb];
        for (int i = 0; i < b.length; i++) b[i] = (float) rnd.nextDouble(-1, 1);
        GemmArgs g = new GemmArgs(false, transB, 1f, new float[1], 0, 1, b, 0, ldb, 0f, new float[1], 0, 1);
        int stride = GemmPack.bPanelStride(kc), panels = GemmBlocked.ceilDiv(nc, nr), off = 7;
        float[] bp = new float[off + panels * stride + 8];
        Arrays.fill(bp, UNTOUCHED);
        GemmPack.packB(g, p0, kc, j0, nc, bp, off);
        for (int panel = 0; panel < panels; panel++) {
            for (int p = 0; p < kc; p++) {
                for (int c = 0; c < nr; c++) {
                    int j = panel * nr + c;
                    float want = j < nc ? (transB ? b[(j0 + j) * ldb + p0 + p] : b[(p0 + p) * ldb + j0 + j]) : 0f;
                    assertThat(bp[off + panel * stride + p * nr + c]).as("panel %d step %d column %d", panel, p, c).isEqualTo(want);
                }
            }
        }
        for (int i = 0; i < off; i++) assertThat(bp[i]).as("bp[%d] before the block", i).isEqualTo(UNTOUCHED);
    }
}
