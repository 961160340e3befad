package wanka.align;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Assumptions;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The PyTorch reference of the post-training losses ({@code src/test/resources/align_reference.py}), started once in
 * serve mode. {@link #start()} skips the calling test class (with the reason) when {@code /usr/bin/python3} cannot
 * {@code import torch}; any other failure of the script fails the test.
 */
public final class TorchReference implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper();
    private static final String PYTHON = "/usr/bin/python3";
    private final Process process;
    private final BufferedWriter in;
    private final BufferedReader out;
    private final Path err;

    private TorchReference(Process process, Path err) {
        this.process = process;
        this.err = err;
        this.in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    public static TorchReference start() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(PYTHON)), "python3-torch not installed (no " + PYTHON + ")");
        Path modelRef = Path.of("").toAbsolutePath().getParent().resolve("model/src/test/resources");
        Assumptions.assumeTrue(Files.isRegularFile(modelRef.resolve("telechat2_reference.py")),
                "the model module's telechat2_reference.py is not at " + modelRef);
        Path script = Path.of(TorchReference.class.getResource("/align_reference.py").toURI());
        Path err = Files.createTempFile("align-reference", ".stderr");
        Process p = new ProcessBuilder(PYTHON, script.toString(), modelRef.toString())
                .redirectError(ProcessBuilder.Redirect.to(err.toFile())).start();
        TorchReference t = new TorchReference(p, err);
        String ready = t.out.readLine();
        if (ready == null || !ready.contains("ready")) {
            p.waitFor(30, TimeUnit.SECONDS);
            String e = Files.readString(err).strip();
            Assumptions.assumeFalse(e.contains("ModuleNotFoundError") || e.contains("ImportError"),
                    () -> "python3-torch not installed: " + e.lines().reduce((x, y) -> y).orElse(""));
            throw new AssertionError("align_reference.py did not start:\n" + e);
        }
        return t;
    }

    public JsonNode call(ObjectNode request) throws IOException {
        in.write(JSON.writeValueAsString(request));
        in.newLine();
        in.flush();
        String line = out.readLine();
        if (line == null) throw new AssertionError("align_reference.py exited:\n" + Files.readString(err));
        JsonNode n = JSON.readTree(line);
        if (n.has("error")) throw new AssertionError("align_reference.py: " + n.get("error").asText());
        return n;
    }

    @Override
    public void close() throws Exception {
        in.close();
        if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly();
        Files.deleteIfExists(err);
    }

    // ---- helpers ----------------------------------------------------------------------------

    public static ArrayNode rows(int[] flat, int batch, int seq) {
        ArrayNode a = JSON.createArrayNode();
        for (int b = 0; b < batch; b++) {
            ArrayNode row = a.addArray();
            for (int t = 0; t < seq; t++) row.add(flat[b * seq + t]);
        }
        return a;
    }

    public static ArrayNode rows(boolean[] flat, int batch, int seq) {
        ArrayNode a = JSON.createArrayNode();
        for (int b = 0; b < batch; b++) {
            ArrayNode row = a.addArray();
            for (int t = 0; t < seq; t++) row.add(flat[b * seq + t] ? 1 : 0);
        }
        return a;
    }

    public static double[] flatten(JsonNode n) {
        List<Double> out = new ArrayList<>();
        flattenInto(n, out);
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void flattenInto(JsonNode n, List<Double> out) {
        if (n.isArray()) n.forEach(c -> flattenInto(c, out));
        else out.add(n.asDouble());
    }

    public static double maxAbs(double[] d) {
        double m = 0;
        for (double v : d) m = Math.max(m, Math.abs(v));
        return m;
    }

    /**
     * Asserts max|ours − ref| ≤ relTol · max(max|ref|, floor) and prints the deviation (so test logs show how close
     * wanka is to PyTorch); returns the max absolute deviation.
     */
    public static double assertClose(String what, float[] ours, double[] ref, double relTol, double floor) {
        assertThat(ours.length).as(what + ": length").isEqualTo(ref.length);
        double worst = 0;
        int at = 0;
        for (int i = 0; i < ours.length; i++) {
            double d = Math.abs(ours[i] - ref[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        double tol = relTol * Math.max(maxAbs(ref), floor);
        System.out.printf("parity %s: max |wanka - torch| = %.3g (max |torch| %.3g, tol %.3g)%n", what, worst, maxAbs(ref), tol);
        assertThat(worst).as("%s: worst element %d: wanka %s torch %s", what, at, ours[at], ref[at]).isLessThanOrEqualTo(tol);
        return worst;
    }
}
