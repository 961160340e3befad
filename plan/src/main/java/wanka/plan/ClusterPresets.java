package wanka.plan;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named node types. Figures are vendor datasheet values (§ header of {@code parallel-formulas.md} for NVIDIA;
 * {@code telechat2.md} §3.1 for the Atlas 800T A2); per-device network bandwidth is the node's NICs divided by
 * its devices.
 *
 * <ul>
 *   <li>{@code 910b}: Atlas 800T A2, 8 × Ascend 910B 64 GB; 16-bit peak taken as 313 TFLOP/s (the sources
 *       disagree: 256–320); HBM 1.6 TB/s; HCCS 56 GB/s × 7 links per device; 200 Gb/s RoCE per device; usable
 *       memory 58 GB (the TeleChat2 yamls cap {@code max_device_memory} at 54.5–58 GB).</li>
 *   <li>{@code a100-40}, {@code a100-80}: DGX A100, NVLink3 300 GB/s per direction, 8 × HDR 200 Gb/s IB.</li>
 *   <li>{@code h100}: DGX H100 80 GB, NVLink4 450 GB/s per direction, 8 × NDR 400 Gb/s IB.</li>
 * </ul>
 *
 * Efficiency constants: A100 values are fitted by {@link Calibration} on vTrain's A100 runs (see
 * {@link #A100_FIT}); 910B and H100 have no public per-layout measurements here, so they borrow the A100 values
 * and say so in {@link Cluster#calibratedOn()}.
 */
public final class ClusterPresets {
    /**
     * Constants fitted on the declared fit split of vTrain's multi-node A100 rows by {@link Calibration#fit}
     * (400 Nelder–Mead iterations from (0.8, 0.5, 0.7, 5 µs, 0.8, 0.8); {@code wanka plan calibrate-check --refit}
     * reruns it), rounded to three digits: matmul 81 % of peak, unfused attention core 29 %, memory-bound ops 82 % of
     * HBM bandwidth, 51 µs per kernel (launch and framework overhead of 2021 eager PyTorch), NVLink at its nominal
     * rate, inter-node collectives at 39 % of the nominal 25 GB/s per GPU.
     */
    public static final Efficiency A100_FIT = new Efficiency(0.813, 0.291, 0.819, 5.06e-5, 1.0, 0.389);

    private static final double GB = 1e9;
    private static final long GIB = 1L << 30;

    private ClusterPresets() {
    }

    private static Map<String, Cluster> build() {
        Map<String, Cluster> m = new LinkedHashMap<>();
        String borrowed = "borrowed from the A100 fit (no measured runs for this hardware)";
        String fitted = "fitted on vTrain A100 multi-node rows (fit split)";
        m.put("910b", new Cluster("910b", new Accelerator("Ascend 910B 64 GB", 313e12, 75e12, 64 * GIB, 58_000_000_000L,
                1.6e12), 8, 1, new Link(392 * GB, 6e-6), new Link(25 * GB, 12e-6), A100_FIT, borrowed));
        m.put("a100-40", new Cluster("a100-40", new Accelerator("A100 SXM 40 GB", 312e12, 19.5e12, 40 * GIB,
                38_000_000_000L, 1.555e12), 8, 1, new Link(300 * GB, 5e-6), new Link(25 * GB, 10e-6), A100_FIT, fitted));
        m.put("a100-80", new Cluster("a100-80", new Accelerator("A100 SXM 80 GB", 312e12, 19.5e12, 80 * GIB,
                80_000_000_000L, 2.039e12), 8, 1, new Link(300 * GB, 5e-6), new Link(25 * GB, 10e-6), A100_FIT, fitted));
        m.put("h100", new Cluster("h100", new Accelerator("H100 SXM 80 GB", 989e12, 67e12, 80 * GIB, 80_000_000_000L,
                3.35e12), 8, 1, new Link(450 * GB, 5e-6), new Link(50 * GB, 10e-6), A100_FIT, borrowed));
        return m;
    }

    /**
     * @return the preset (or the cluster file, see {@link ClusterFile}) with {@code nodes} nodes
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static Cluster get(String name, int nodes) {
        Cluster c = build().get(name);
        if (c == null && (name.endsWith(".json") || java.nio.file.Files.isRegularFile(java.nio.file.Path.of(name)))) {
            if (!java.nio.file.Files.isRegularFile(java.nio.file.Path.of(name))) {
                throw new IllegalArgumentException("cluster file " + name + " does not exist; known clusters: " + String.join(", ", names())
                        + ", or a file written by wanka plan calibrate");
            }
            c = ClusterFile.read(java.nio.file.Path.of(name));
        }
        if (c == null) {
            throw new IllegalArgumentException("unknown cluster '" + name + "'; known clusters: " + String.join(", ", names())
                    + ", or a file written by wanka plan calibrate");
        }
        return c.withNodes(nodes);
    }

    /** @return the preset names */
    public static List<String> names() {
        return List.copyOf(build().keySet());
    }
}
