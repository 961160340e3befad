package wanka.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.model.generate.GenerationConfig;
import wanka.model.generate.Generator;
import wanka.model.io.ModelFiles;
import wanka.model.io.NamedArray;
import wanka.model.io.SafetensorsDType;
import wanka.tensor.CpuDevice;
import wanka.tensor.DType;
import wanka.tensor.Tensor;

/** {@link ModelIO#loadForInference} (weights read in place from the mapped files) against {@link ModelIO#load} (heap copies). */
class MappedInferenceTest {
    private static final TeleChat2Config CONFIG = TeleChat2Config.of(300, 64, 2, 4, 2, 96, 64);

    private static void save(TeleChat2 model, Path dir, SafetensorsDType dtype) throws IOException {
        List<NamedArray> arrays = new ArrayList<>();
        for (var e : model.parameters().entrySet()) {
            long[] shape = java.util.Arrays.stream(e.getValue().shape().dims()).asLongStream().toArray();
            arrays.add(new NamedArray(e.getKey(), shape, e.getValue().toArray()));
        }
        ModelFiles.write(dir, arrays, dtype, ModelIO.MAX_SHARD_BYTES);
        model.config().write(dir.resolve("config.json"));
    }

    @Test
    void mappedF32AndBf16GiveTheHeapLogitsAndTokens(@TempDir Path tmp) throws IOException {
        try (CpuDevice dev = CpuDevice.withThreads(2)) {
            TeleChat2 src = TeleChat2.initialize(CONFIG, dev, 42);
            int[] ids = {5, 17, 250, 3, 99, 1, 42, 42, 7, 120, 64, 8};
            for (SafetensorsDType dtype : new SafetensorsDType[]{SafetensorsDType.F32, SafetensorsDType.BF16}) {
                Path dir = tmp.resolve(dtype.name());
                save(src, dir, dtype);
                TeleChat2 heap = ModelIO.load(dir, dev); // BF16: the heap holds the widened BF16 values
                TeleChat2 mapped = ModelIO.loadForInference(dir, dev);

                Tensor lm = mapped.parameters().get("lm_head.weight");
                assertThat(lm.isMapped()).isTrue();
                assertThat(lm.segmentType()).isEqualTo(dtype == SafetensorsDType.F32 ? DType.F32 : DType.BF16);
                assertThat(mapped.parameters().get("transformer.ln_f.weight").isMapped()).isFalse();
                assertThat(mapped.parameters().get("transformer.h.0.self_attention.dense.bias").isMapped()).isFalse();
                assertThat(mapped.parameters().values()).noneMatch(Tensor::requiresGrad);
                assertThat(mapped.parameters().values().stream().filter(Tensor::isMapped).count()).isEqualTo(2 + 6L * CONFIG.numLayers());

                assertThat(mapped.logits(ids, 1, ids.length).toArray()).as(dtype.name()).isEqualTo(heap.logits(ids, 1, ids.length).toArray());
                assertThat(mapped.logits(ids, 2, 6).toArray()).isEqualTo(heap.logits(ids, 2, 6).toArray());
                GenerationConfig greedy = GenerationConfig.greedy(24, Set.of());
                int[] want = new Generator(heap).generate(ids, greedy, t -> { }).tokens();
                assertThat(new Generator(mapped).generate(ids, greedy, t -> { }).tokens()).as(dtype.name()).isEqualTo(want);
            }
        }
    }

    @Test
    void mappedWeightsRefuseDataAndTraining(@TempDir Path tmp) throws IOException {
        try (CpuDevice dev = CpuDevice.withThreads(1)) {
            save(TeleChat2.initialize(CONFIG, dev, 1), tmp, SafetensorsDType.BF16);
            TeleChat2 mapped = ModelIO.loadForInference(tmp, dev);
            Tensor q = mapped.parameters().get("transformer.h.1.self_attention.query.weight");
            assertThatThrownBy(q::data).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("'transformer.h.1.self_attention.query.weight'").hasMessageContaining("read-only memory-mapped BF16");
            assertThatThrownBy(() -> q.requiresGrad(true)).hasMessageContaining("transformer.h.1.self_attention.query.weight");
            // Evaluation loss works in place; it equals the heap model's.
            int[] in = {1, 2, 3, 4}, tg = {2, 3, 4, 5};
            assertThat(mapped.loss(in, tg, 1, 4).item()).isEqualTo(ModelIO.load(tmp, dev).loss(in, tg, 1, 4).item());
        }
    }

    @Test
    void nonFiniteWeightsAreRefusedByTensorNameInEveryLoadPath(@TempDir Path tmp) throws IOException {
        try (CpuDevice dev = CpuDevice.withThreads(2)) {
            TeleChat2 src = TeleChat2.initialize(CONFIG, dev, 3);
            Tensor up = src.parameters().get("transformer.h.1.mlp.up_proj.weight"); // [ffn 96, hidden 64]
            up.data()[up.offset() + 5 * 64 + 7] = Float.NaN;
            Tensor norm = src.parameters().get("transformer.ln_f.weight");
            for (SafetensorsDType dtype : new SafetensorsDType[]{SafetensorsDType.F32, SafetensorsDType.BF16}) {
                Path dir = tmp.resolve(dtype.name());
                save(src, dir, dtype);
                for (boolean mapped : new boolean[]{false, true}) {
                    assertThatThrownBy(() -> load(dir, dev, mapped)).as(dtype + (mapped ? " mapped" : " heap"))
                            .hasMessageContaining(dir.toString()).hasMessageContaining("transformer.h.1.mlp.up_proj.weight")
                            .hasMessageContaining("[5, 7]").hasMessageContaining("non-finite");
                }
            }
            up.data()[up.offset() + 5 * 64 + 7] = 0;
            norm.data()[norm.offset() + 3] = Float.NEGATIVE_INFINITY; // a 1-D heap tensor in both paths
            save(src, tmp.resolve("inf"), SafetensorsDType.F32);
            assertThatThrownBy(() -> load(tmp.resolve("inf"), dev, true)).hasMessageContaining("transformer.ln_f.weight").hasMessageContaining("[3]");
        }
    }

    @Test
    void nonFiniteLogitsStopGenerationInsteadOfSamplingGarbage(@TempDir Path tmp) throws IOException {
        try (CpuDevice dev = CpuDevice.withThreads(1)) {
            TeleChat2 src = TeleChat2.initialize(CONFIG, dev, 4);
            java.util.Arrays.fill(src.parameters().get("lm_head.weight").data(), 3e37f); // finite weights whose logits overflow
            save(src, tmp, SafetensorsDType.F32);
            TeleChat2 m = ModelIO.loadForInference(tmp, dev);
            for (double temperature : new double[]{0, 0.8}) {
                GenerationConfig gc = new GenerationConfig(4, temperature, 0, 1, 1, Set.of(), 0);
                assertThatThrownBy(() -> new Generator(m).generate(new int[]{1, 2}, gc, t -> { }))
                        .hasMessageContaining("non-finite logit").hasMessageContaining("position 2");
            }
        }
    }

    private static TeleChat2 load(Path dir, CpuDevice dev, boolean mapped) throws IOException {
        return mapped ? ModelIO.loadForInference(dir, dev) : ModelIO.load(dir, dev);
    }

    @Test
    void mappedModelKeepsTheHeapSmall(@TempDir Path tmp) throws IOException {
        // ≈ 25 M parameters: 100 MB of F32 weights.
        TeleChat2Config c = TeleChat2Config.of(8192, 512, 6, 8, 2, 1376, 64);
        try (CpuDevice dev = CpuDevice.withThreads(2)) {
            List<NamedArray> arrays = new ArrayList<>();
            for (var spec : wanka.model.io.WeightNames.expected(c)) { // cheap deterministic values, not the slow Gaussian init
                float[] v = new float[Math.toIntExact(java.util.Arrays.stream(spec.shape()).reduce(1, (a, b) -> a * b))];
                for (int i = 0; i < v.length; i++) v[i] = ((i * 31 + v.length) % 17 - 8) * 2e-3f;
                arrays.add(new NamedArray(spec.name(), spec.shape(), v));
            }
            ModelFiles.write(tmp, arrays, SafetensorsDType.F32, ModelIO.MAX_SHARD_BYTES);
            c.write(tmp.resolve("config.json"));
            long weightBytes = 4L * arrays.stream().mapToLong(a -> a.data().length).sum();
            arrays = null;
            assertThat(weightBytes).isGreaterThan(95_000_000L);

            long before = usedHeap();
            TeleChat2 mapped = ModelIO.loadForInference(tmp, dev);
            long mappedGrowth = usedHeap() - before;
            int[] tokens = new Generator(mapped).generate(new int[]{1, 2, 3}, GenerationConfig.greedy(2, Set.of()), t -> { }).tokens();
            assertThat(tokens).hasSize(2);

            long before2 = usedHeap();
            TeleChat2 heap = ModelIO.load(tmp, dev);
            long heapGrowth = usedHeap() - before2;
            assertThat(heap.config()).isEqualTo(mapped.config()); // keeps both reachable while measuring
            System.out.printf("weights %.1f MB; heap growth: mapped %.1f MB, heap %.1f MB%n", weightBytes / 1e6, mappedGrowth / 1e6, heapGrowth / 1e6);
            assertThat(mappedGrowth).as("heap growth with mapped weights").isLessThan(20_000_000L);
            assertThat(heapGrowth).as("heap growth with heap weights (the measurement works)").isGreaterThan(weightBytes * 9 / 10);
        }
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
