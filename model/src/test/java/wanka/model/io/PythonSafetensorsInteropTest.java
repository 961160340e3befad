package wanka.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cross-checks against the reference implementation, the Python {@code safetensors} package (Debian
 * {@code python3-safetensors} with {@code python3-numpy}). Skipped when {@code /usr/bin/python3} cannot import them.
 */
class PythonSafetensorsInteropTest {
    private static final String PYTHON = "/usr/bin/python3";

    @TempDir
    Path dir;

    @BeforeEach
    void requirePythonSafetensors() throws InterruptedException {
        Assumptions.assumeTrue(run("import safetensors.numpy, numpy").exitCode == 0,
                "skipped: " + PYTHON + " cannot import safetensors and numpy (apt-get install python3-safetensors)");
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(String script, String... args) throws InterruptedException {
        try {
            List<String> cmd = new java.util.ArrayList<>(List.of(PYTHON, "-c", script));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timeout");
            }
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.toString());
        }
    }

    @Test
    void pythonReadsWhatWeWrite() throws Exception {
        Path f32 = dir.resolve("f32.safetensors");
        Path bf16 = dir.resolve("bf16.safetensors");
        float[] v = {1.5f, -2.25f, 3.0e-3f, 1e20f, 0f, 7f};
        List<NamedArray> arrays = List.of(new NamedArray("a.weight", new long[]{2, 3}, v),
                new NamedArray("b", new long[]{1}, new float[]{42f}));
        SafetensorsWriter.write(f32, arrays);
        SafetensorsWriter.write(bf16, arrays, SafetensorsDType.BF16, java.util.Map.of());
        Result r = run("""
                import sys, json
                from safetensors import safe_open
                from safetensors.numpy import load_file
                t = load_file(sys.argv[1])
                with safe_open(sys.argv[1], framework="numpy") as f:
                    meta = f.metadata()
                with open(sys.argv[2], "rb") as f:
                    n = int.from_bytes(f.read(8), "little")
                    h = json.loads(f.read(n))
                try:
                    from safetensors.torch import load_file as load_torch
                    bf = load_torch(sys.argv[2])["a.weight"].float().flatten().tolist()
                except ImportError:
                    bf = None
                print(json.dumps({"a": t["a.weight"].tolist(), "shape": list(t["a.weight"].shape),
                                  "dtype": str(t["a.weight"].dtype), "b": t["b"].tolist(), "meta": meta,
                                  "bf16": h["a.weight"]["dtype"], "bf16_values": bf}))
                """, f32.toString(), bf16.toString());
        assertThat(r.exitCode).as(r.output).isZero();
        JsonNode out = new ObjectMapper().readTree(r.output);
        assertThat(out.get("shape").toString()).isEqualTo("[2,3]");
        assertThat(out.get("dtype").asText()).isEqualTo("float32");
        assertThat(out.get("meta").get("format").asText()).isEqualTo("pt");
        assertThat(out.get("bf16").asText()).isEqualTo("BF16");
        assertThat(out.get("b").get(0).asDouble()).isEqualTo(42.0);
        for (int i = 0; i < v.length; i++) {
            assertThat((float) out.get("a").get(i / 3).get(i % 3).asDouble()).as("a[%d]", i).isEqualTo(v[i]);
        }
        JsonNode bf = out.get("bf16_values");
        if (!bf.isNull()) {
            for (int i = 0; i < v.length; i++) {
                assertThat((float) bf.get(i).asDouble()).as("bf16 a[%d]", i)
                        .isEqualTo(BFloat16.toFloat(BFloat16.fromFloat(v[i])));
            }
        }
    }

    @Test
    void weReadWhatPythonWrites() throws Exception {
        Path p = dir.resolve("py.safetensors");
        Result r = run("""
                import sys, numpy as np
                from safetensors.numpy import save_file
                save_file({"x": np.arange(6, dtype=np.float32).reshape(3, 2) / 4,
                           "h": np.array([0.5, -1.0, 65504.0], dtype=np.float16),
                           "d": np.array([[0.1]], dtype=np.float64),
                           "i": np.array([1, 2], dtype=np.int64)}, sys.argv[1], metadata={"format": "np"})
                """, p.toString());
        assertThat(r.exitCode).as(r.output).isZero();
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertThat(f.metadata()).containsEntry("format", "np");
            assertThat(f.info("x").shape()).containsExactly(3, 2);
            assertThat(f.readFloats("x")).containsExactly(0f, 0.25f, 0.5f, 0.75f, 1f, 1.25f);
            assertThat(f.readFloats("h")).containsExactly(0.5f, -1f, 65504f);
            assertThat(f.readFloats("d")).containsExactly(0.1f);
            assertThat(f.info("i").dtype()).isEqualTo(SafetensorsDType.I64);
        }
    }
}
