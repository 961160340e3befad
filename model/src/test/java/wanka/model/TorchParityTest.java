package wanka.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import wanka.model.layers.LayerCache;
import wanka.tensor.CpuDevice;
import wanka.tensor.Tensor;
import wanka.tensor.cpu.RopeTable;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cross-checks wanka's TeleChat2 against an independent plain-PyTorch (fp32, CPU) implementation of the HF remote
 * code's forward ({@code src/test/resources/telechat2_reference.py}), which reads the model directory wanka writes
 * (config.json + model.safetensors) and computes logits, the mean cross-entropy and gradients with torch autograd.
 *
 * <p>Tolerances (absolute, scaled by the largest magnitude of the compared quantity): logits and KV-cache logits
 * 1e-4 · max|logit|; loss 1e-4 · max(1, |loss|); gradients 1e-3 · max|grad| of that parameter. The Python side keeps
 * the RoPE table in fp32, where the HF code rounds it to fp16 (see the script's docstring).
 *
 * <p>Skipped when {@code /usr/bin/python3} cannot {@code import torch} (Debian {@code python3-torch}).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TorchParityTest {
    private static final String PYTHON = "/usr/bin/python3";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double LOGIT_TOL = 1e-4;
    private static final double LOSS_TOL = 1e-4;
    private static final double GRAD_TOL = 1e-3;
    private static final List<String> GRADS = List.of(
            "transformer.h.0.self_attention.key_value.weight",
            "transformer.h.0.self_attention.query.weight",
            "transformer.h.0.self_attention.dense.bias",
            "transformer.h.1.self_attention.dense.weight",
            "transformer.h.0.mlp.down_proj.bias",
            "transformer.h.1.mlp.gate_proj.weight",
            "transformer.h.0.input_layernorm.weight",
            "transformer.ln_f.weight",
            "transformer.word_embeddings.weight",
            "lm_head.weight");

    private static CpuDevice cpu;
    private static Process python;
    private static BufferedWriter toPython;
    private static BufferedReader fromPython;
    private static Path pythonErr;

    @TempDir
    Path tmp;

    /**
     * Starts the reference once in {@code --serve} mode (torch is imported once, not per case); its first line
     * reports whether {@code import torch} worked, and the whole class is skipped when it did not.
     */
    @BeforeAll
    static void setUp() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(PYTHON)), "python3-torch not installed (no " + PYTHON + ")");
        Path script = Path.of(TorchParityTest.class.getResource("/telechat2_reference.py").toURI());
        pythonErr = Files.createTempFile("telechat2-reference", ".stderr");
        python = new ProcessBuilder(PYTHON, script.toString(), "--serve")
                .redirectError(ProcessBuilder.Redirect.to(pythonErr.toFile())).start();
        toPython = new BufferedWriter(new OutputStreamWriter(python.getOutputStream(), StandardCharsets.UTF_8));
        fromPython = new BufferedReader(new InputStreamReader(python.getInputStream(), StandardCharsets.UTF_8));
        String ready = fromPython.readLine();
        if (ready == null || !ready.contains("ready")) {
            python.waitFor(30, TimeUnit.SECONDS);
            String err = readQuietly(pythonErr);
            // Only a missing module skips; any other failure of the script is a test failure.
            Assumptions.assumeFalse(err.contains("ModuleNotFoundError") || err.contains("ImportError"),
                    () -> "python3-torch not installed: " + err.lines().reduce((x, y) -> y).orElse(""));
            throw new AssertionError("telechat2_reference.py did not start:\n" + err);
        }
        cpu = CpuDevice.withThreads(2);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (cpu != null) cpu.close();
        if (python != null) {
            toPython.close();
            if (!python.waitFor(30, TimeUnit.SECONDS)) python.destroyForcibly();
            Files.deleteIfExists(pythonErr);
        }
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p).strip();
        } catch (IOException e) {
            return e.toString();
        }
    }

    // ---- cases ------------------------------------------------------------------------------

    static Stream<Arguments> shapes() {
        // vocab, hidden, layers, heads, kvHeads, ffn, seqLen (= training_seqlen); head_dim = hidden / heads
        return Stream.of(
                Arguments.of("GQA 4/2, head_dim 16", TeleChat2Config.of(37, 64, 2, 4, 2, 96, 64)),
                Arguments.of("GQA 4/2, head_dim 32", TeleChat2Config.of(37, 128, 2, 4, 2, 160, 64)),
                Arguments.of("MHA 4/4, head_dim 16", TeleChat2Config.of(37, 64, 2, 4, 4, 96, 64)),
                Arguments.of("MHA 4/4, head_dim 32", TeleChat2Config.of(37, 128, 2, 4, 4, 160, 64)));
    }

    /** Logits, loss (with an ignored target), gradients and KV-cache decoding for one shape, batch 2. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void logitsLossGradientsAndCacheMatchPyTorch(String label, TeleChat2Config config) throws Exception {
        TeleChat2 model = model(config, 17);
        Path dir = tmp.resolve("model");
        ModelIO.save(model, dir);
        int batch = 2, seq = 7, vocab = config.vocabSize();
        Random r = new Random(label.hashCode());
        int[] ids = randomIds(r, batch * seq, vocab), targets = randomIds(r, batch * seq, vocab);
        targets[2] = -100;
        targets[seq + 5] = -100;

        float[] logits;
        try (var ignored = cpu.noGrad()) {
            logits = model.logits(ids, batch, seq).toArray();
        }
        Tensor loss = model.loss(ids, targets, batch, seq);
        float ourLoss = loss.item();
        loss.backward();

        int prefill = 3;
        JsonNode ref = python(dir, ids, targets, batch, seq, GRADS, prefill);
        assertThat(ref.get("rope").get("ntk_alpha").asInt()).isEqualTo(1);

        // (1) logits
        double[] refLogits = flatten(ref.get("logits"));
        assertClose(label + " logits", logits, refLogits, LOGIT_TOL * maxAbs(refLogits));
        // (2) loss
        double refLoss = ref.get("loss").asDouble();
        assertThat((double) ourLoss).as(label + " loss").isCloseTo(refLoss,
                org.assertj.core.data.Offset.offset(LOSS_TOL * Math.max(1, Math.abs(refLoss))));
        // (3) gradients
        for (String name : GRADS) {
            double[] refGrad = flatten(ref.get("grads").get(name));
            float[] ours = model.parameters().get(name).grad().toArray();
            assertThat(maxAbs(refGrad)).as(name + " gradient is not trivially zero").isGreaterThan(1e-3);
            assertClose(label + " d loss / d " + name, ours, refGrad, GRAD_TOL * maxAbs(refGrad));
        }
        // (5) KV cache, first sequence: prefill, then one token at a time; each step's logits are the full
        // forward's logits at that position (within training_seqlen the table does not depend on the length).
        List<LayerCache> cache = model.newCache(seq);
        for (int t = prefill - 1; t < seq; t++) {
            float[] last = t == prefill - 1
                    ? model.step(Arrays.copyOf(ids, prefill), cache)
                    : model.step(new int[]{ids[t]}, cache);
            double[] row = Arrays.copyOfRange(refLogits, t * vocab, (t + 1) * vocab);
            assertClose(label + " cached logits at position " + t, last, row, LOGIT_TOL * maxAbs(row));
            // The Python side's own HF-style cached decode agrees with its full forward.
            double[] pyStep = flatten(ref.get("decode_logits").get(t - prefill + 1));
            assertClose(label + " python cached logits at position " + t, toFloat(pyStep), row, LOGIT_TOL * maxAbs(row));
        }
    }

    /**
     * (4) Dynamic NTK + mscale: training_seqlen 8, a 20-token sequence, so seq_len = 20, ntk_alpha = 7,
     * mscale = 0.1·ln(20/8) + 1. The full forward uses the table of the total length on both sides; the KV-cache
     * decode rebuilds the table for every new length (keys are cached after RoPE), as the remote code does.
     */
    @Test
    void dynamicNtkPastTrainingSeqlenMatchesPyTorch() throws Exception {
        TeleChat2Config config = TeleChat2Config.of(37, 64, 2, 4, 2, 96, 8);
        TeleChat2 model = model(config, 23);
        Path dir = tmp.resolve("ntk");
        ModelIO.save(model, dir);
        int batch = 2, seq = 20, vocab = config.vocabSize(), prefill = 5;
        Random r = new Random(99);
        int[] ids = randomIds(r, batch * seq, vocab), targets = randomIds(r, batch * seq, vocab);
        targets[11] = -100;

        float[] logits;
        try (var ignored = cpu.noGrad()) {
            logits = model.logits(ids, batch, seq).toArray();
        }
        Tensor loss = model.loss(ids, targets, batch, seq);
        float ourLoss = loss.item();
        loss.backward();
        List<String> grads = List.of("transformer.h.0.self_attention.key_value.weight", "transformer.h.1.self_attention.query.weight");
        JsonNode ref = python(dir, ids, targets, batch, seq, grads, prefill);

        JsonNode rope = ref.get("rope");
        assertThat(rope.get("seq_len").asInt()).isEqualTo(20);
        assertThat(rope.get("ntk_alpha").asInt()).isEqualTo(7).isEqualTo((int) RopeTable.ntkAlpha(seq, 8, 8));
        assertThat(rope.get("mscale").asDouble()).isCloseTo(0.1 * Math.log(2.5) + 1, org.assertj.core.data.Offset.offset(1e-12))
                .isCloseTo(RopeTable.mscale(seq, 8), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(rope.get("base").asDouble()).isCloseTo(RopeTable.ntkBase(16, seq, 8, 8, 10000), org.assertj.core.data.Offset.offset(1e-6));

        double[] refLogits = flatten(ref.get("logits"));
        assertClose("NTK logits", logits, refLogits, LOGIT_TOL * maxAbs(refLogits));
        double refLoss = ref.get("loss").asDouble();
        assertThat((double) ourLoss).as("NTK loss").isCloseTo(refLoss,
                org.assertj.core.data.Offset.offset(LOSS_TOL * Math.max(1, Math.abs(refLoss))));
        for (String name : grads) {
            double[] refGrad = flatten(ref.get("grads").get(name));
            assertClose("NTK d loss / d " + name, model.parameters().get(name).grad().toArray(), refGrad, GRAD_TOL * maxAbs(refGrad));
        }

        // The NTK path matters: the same weights with training_seqlen 64 (plain RoPE) give clearly other logits.
        TeleChat2 plain = TeleChat2.fromParameters(config.withSeqLen(64), model.parameters()::get);
        float[] plainLogits;
        try (var ignored = cpu.noGrad()) {
            plainLogits = plain.logits(ids, batch, seq).toArray();
        }
        assertThat(maxAbsDiff(plainLogits, refLogits)).isGreaterThan(100 * LOGIT_TOL * maxAbs(refLogits));

        // A 20-token prefill through the cache equals the full forward's last position.
        float[] prefilled = model.step(Arrays.copyOf(ids, seq), model.newCache(seq));
        double[] lastRow = Arrays.copyOfRange(refLogits, (seq - 1) * vocab, seq * vocab);
        assertClose("NTK full prefill", prefilled, lastRow, LOGIT_TOL * maxAbs(lastRow));

        // Incremental decode past training_seqlen: compare with the HF-style cached decode of the reference.
        List<LayerCache> cache = model.newCache(seq);
        for (int t = prefill - 1; t < seq; t++) {
            float[] last = t == prefill - 1
                    ? model.step(Arrays.copyOf(ids, prefill), cache)
                    : model.step(new int[]{ids[t]}, cache);
            double[] pyStep = flatten(ref.get("decode_logits").get(t - prefill + 1));
            assertClose("NTK cached decode at position " + t, last, pyStep, LOGIT_TOL * maxAbs(pyStep));
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    /** A random model with weights N(0, 0.3) (biases too) and norm weights 1 + N(0, 0.2): every path carries signal. */
    private static TeleChat2 model(TeleChat2Config config, long seed) {
        TeleChat2 m = TeleChat2.initialize(config, cpu, seed);
        Random r = new Random(seed);
        for (Tensor t : m.parameters().values()) {
            float[] d = t.data();
            boolean norm = t.name().contains("layernorm") || t.name().contains("ln_f");
            for (int i = 0; i < d.length; i++) {
                d[i] = norm ? 1 + 0.2f * (float) r.nextGaussian() : 0.3f * (float) r.nextGaussian();
            }
        }
        return m;
    }

    private static int[] randomIds(Random r, int n, int vocab) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = r.nextInt(vocab);
        return ids;
    }

    private static JsonNode python(Path dir, int[] ids, int[] targets, int batch, int seq, List<String> grads,
                                   int prefill) throws IOException {
        ObjectNode req = JSON.createObjectNode();
        req.put("model_dir", dir.toString());
        req.set("ids", rows(ids, batch, seq));
        req.set("targets", rows(targets, batch, seq));
        ArrayNode g = req.putArray("grads");
        grads.forEach(g::add);
        req.put("decode_prefill", prefill);
        toPython.write(JSON.writeValueAsString(req));
        toPython.newLine();
        toPython.flush();
        String line = fromPython.readLine();
        if (line == null) throw new AssertionError("telechat2_reference.py exited:\n" + readQuietly(pythonErr));
        JsonNode out = JSON.readTree(line);
        if (out.has("error")) throw new AssertionError("telechat2_reference.py: " + out.get("error").asText());
        return out;
    }

    private static ArrayNode rows(int[] flat, int batch, int seq) {
        ArrayNode a = JSON.createArrayNode();
        for (int b = 0; b < batch; b++) {
            ArrayNode row = a.addArray();
            for (int t = 0; t < seq; t++) row.add(flat[b * seq + t]);
        }
        return a;
    }

    private static double[] flatten(JsonNode n) {
        java.util.ArrayList<Double> out = new java.util.ArrayList<>();
        flattenInto(n, out);
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void flattenInto(JsonNode n, List<Double> out) {
        if (n.isArray()) n.forEach(c -> flattenInto(c, out));
        else out.add(n.asDouble());
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    private static double maxAbs(double[] d) {
        double m = 0;
        for (double v : d) m = Math.max(m, Math.abs(v));
        return m;
    }

    private static double maxAbsDiff(float[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    private static void assertClose(String what, float[] ours, double[] ref, double tol) {
        assertThat(ours.length).as(what + ": length").isEqualTo(ref.length);
        int worst = 0;
        double worstDiff = -1;
        for (int i = 0; i < ours.length; i++) {
            double d = Math.abs(ours[i] - ref[i]);
            if (!(d <= worstDiff)) {
                worstDiff = d;
                worst = i;
            }
        }
        if (System.getProperty("wanka.parity.verbose") != null) {
            System.out.printf("%s: max |diff| %.3g (tol %.3g, max |ref| %.3g)%n", what, worstDiff, tol, maxAbs(ref));
        }
        assertThat((double) ours[worst]).as("%s [%d] (max |diff| over %d values)", what, worst, ours.length)
                .isCloseTo(ref[worst], org.assertj.core.data.Offset.offset(tol));
    }
}
