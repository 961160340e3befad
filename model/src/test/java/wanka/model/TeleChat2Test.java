package wanka.model;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import wanka.model.layers.LayerCache;
import wanka.tensor.CpuDevice;
import wanka.tensor.MetaDevice;
import wanka.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class TeleChat2Test {
    private static final CpuDevice CPU = CpuDevice.withThreads(2);
    // GQA (4 query heads over 2 kv heads), two layers, odd vocab.
    private static final TeleChat2Config CONFIG = TeleChat2Config.of(13, 16, 2, 4, 2, 24, 64);

    @AfterAll
    static void close() {
        CPU.close();
    }

    private static TeleChat2 model(long seed) {
        TeleChat2 m = TeleChat2.initialize(CONFIG, CPU, seed);
        // Larger weights than the 0.02 init, non-trivial norms and biases: every path carries signal.
        Random r = new Random(seed);
        for (Tensor t : m.parameters().values()) {
            float[] d = t.data();
            for (int i = 0; i < d.length; i++) d[i] = t.name().contains("layernorm") || t.name().contains("ln_f") ? 1 + 0.3f * (float) r.nextGaussian() : 0.4f * (float) r.nextGaussian();
        }
        return m;
    }

    private static Map<String, double[]> toDouble(TeleChat2 m) {
        Map<String, double[]> p = new LinkedHashMap<>();
        m.parameters().forEach((k, v) -> {
            float[] f = v.toArray();
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) d[i] = f[i];
            p.put(k, d);
        });
        return p;
    }

    private static int[] randomIds(Random r, int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = r.nextInt(CONFIG.vocabSize());
        return ids;
    }

    @Test
    void lossAndEveryGradientMatchTheDoublePrecisionReference() {
        TeleChat2 m = model(7);
        Random r = new Random(1);
        int batch = 2, seq = 5;
        int[] ids = randomIds(r, batch * seq), targets = randomIds(r, batch * seq);
        targets[3] = -100; // ignored position
        Tensor loss = m.loss(ids, targets, batch, seq);
        float ours = loss.item();
        loss.backward();

        Map<String, double[]> p = toDouble(m);
        ReferenceTeleChat2 ref = new ReferenceTeleChat2(CONFIG, p);
        double expected = ref.loss(ids, targets, batch, seq);
        assertThat((double) ours).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4 * Math.max(1, Math.abs(expected))));

        double h = 1e-6;
        for (var e : m.parameters().entrySet()) {
            double[] w = p.get(e.getKey());
            float[] g = e.getValue().grad().toArray();
            for (int i = 0; i < w.length; i++) {
                double keep = w[i];
                w[i] = keep + h;
                double up = ref.loss(ids, targets, batch, seq);
                w[i] = keep - h;
                double down = ref.loss(ids, targets, batch, seq);
                w[i] = keep;
                double fd = (up - down) / (2 * h);
                assertThat((double) g[i]).as("d loss / d %s[%d]", e.getKey(), i).isCloseTo(fd, org.assertj.core.data.Offset.offset(2e-4 + 2e-3 * Math.abs(fd)));
            }
        }
    }

    @Test
    void kvCacheDecodingGivesTheSameLogitsAsAFullForward() {
        TeleChat2 m = model(3);
        int[] ids = randomIds(new Random(5), 9);
        float[] full;
        try (var ignored = CPU.noGrad()) {
            Tensor logits = m.logits(ids, 1, ids.length);
            full = logits.toArray();
        }
        List<LayerCache> cache = m.newCache(16);
        // Prefill 4 tokens, then one token at a time.
        float[] last = m.step(java.util.Arrays.copyOf(ids, 4), cache);
        assertRow(full, 3, last);
        for (int t = 4; t < ids.length; t++) {
            last = m.step(new int[]{ids[t]}, cache);
            assertRow(full, t, last);
        }
    }

    private static void assertRow(float[] full, int row, float[] got) {
        int v = CONFIG.vocabSize();
        for (int i = 0; i < v; i++) assertThat(got[i]).as("logit %d at position %d", i, row).isCloseTo(full[row * v + i], org.assertj.core.data.Offset.offset(1e-4f));
    }

    @Test
    void logitsMatchTheReference() {
        TeleChat2 m = model(11);
        int[] ids = randomIds(new Random(2), 6);
        float[] ours;
        try (var ignored = CPU.noGrad()) {
            ours = m.logits(ids, 2, 3).toArray();
        }
        double[][] ref = new ReferenceTeleChat2(CONFIG, toDouble(m)).logits(ids, 2, 3);
        for (int t = 0; t < 6; t++) {
            for (int i = 0; i < CONFIG.vocabSize(); i++) assertThat((double) ours[t * CONFIG.vocabSize() + i]).isCloseTo(ref[t][i], org.assertj.core.data.Offset.offset(1e-4));
        }
    }

    @Test
    void theSameModelCodeRunsOnTheMetaDeviceAndCountsTrainingFlops() {
        TeleChat2Config small = Presets.get("small");
        MetaDevice meta = new MetaDevice();
        TeleChat2 m = TeleChat2.initialize(small, meta, 0);
        int batch = 2, seq = small.trainingSeqlen();
        int[] ids = new int[batch * seq];
        Tensor loss = m.loss(ids, ids, batch, seq);
        loss.backward();
        double perToken = meta.totalFlops() / (batch * seq);
        // Forward + backward = 3× the forward matmul work; Megatron's 6N + 12·L·d·s counts the same (causal counted as full).
        double matmul = 6.0 * small.matmulParameterCount();
        assertThat(perToken).isBetween(matmul, small.flopsPerToken(seq) * 1.05);
        assertThat(meta.memory().peakBytes()).isGreaterThan(4L * small.parameterCount());
        assertThat(m.parameters().get("lm_head.weight").grad()).isNotNull();
    }

    @Test
    void everyParameterHasARoleAndTheDecayedRolesAreExactlyTheMatrices() {
        TeleChat2 m = TeleChat2.initialize(CONFIG, CPU, 5);
        Map<String, Tensor> params = m.parameters();
        Map<String, ParamRole> roles = m.parameterRoles();
        assertThat(roles.keySet()).containsExactlyElementsOf(params.keySet());
        params.forEach((name, t) -> assertThat(roles.get(name).decays()).as(name).isEqualTo(t.shape().rank() == 2));
        assertThat(roles.values().stream().filter(ParamRole::decays).count()).isEqualTo(2 + 6L * CONFIG.numLayers());
        assertThat(roles).containsEntry("transformer.word_embeddings.weight", ParamRole.EMBEDDING)
                .containsEntry("lm_head.weight", ParamRole.HEAD)
                .containsEntry("transformer.ln_f.weight", ParamRole.NORM_GAIN)
                .containsEntry("transformer.h.1.post_attention_layernorm.weight", ParamRole.NORM_GAIN)
                .containsEntry("transformer.h.0.mlp.down_proj.bias", ParamRole.BIAS)
                .containsEntry("transformer.h.0.self_attention.key_value.weight", ParamRole.LINEAR_WEIGHT);
    }

    @Test
    void initialisationFollowsTheRole() {
        TeleChat2 m = TeleChat2.initialize(CONFIG, CPU, 5);
        Map<String, ParamRole> roles = m.parameterRoles();
        m.parameters().forEach((name, t) -> {
            float[] d = t.toArray();
            switch (roles.get(name)) {
                case NORM_GAIN -> assertThat(d).as(name).containsOnly(1f);
                case BIAS -> assertThat(d).as(name).containsOnly(0f);
                case EMBEDDING, LINEAR_WEIGHT, HEAD -> {
                    double sq = 0;
                    for (float x : d) sq += (double) x * x;
                    assertThat(Math.sqrt(sq / d.length)).as(name).isBetween(0.5 * CONFIG.initializerRange(), 1.5 * CONFIG.initializerRange());
                }
            }
        });
    }
}
