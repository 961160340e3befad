package wanka.align;

import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.tensor.CpuDevice;
import wanka.tensor.Tensor;

import java.util.Random;

/** Tiny TeleChat2 models whose every path carries signal (weights N(0, σ), norm gains 1 + N(0, 0.2)). */
public final class TinyModels {
    private TinyModels() {
    }

    /** vocab {@code vocab}, hidden 64, 2 layers, 4 query / 2 kv heads (GQA, head_dim 16), ffn 96, training_seqlen 64. */
    public static TeleChat2Config config(int vocab) {
        return TeleChat2Config.of(vocab, 64, 2, 4, 2, 96, 64);
    }

    public static TeleChat2 random(TeleChat2Config config, CpuDevice cpu, long seed, float sigma) {
        TeleChat2 m = TeleChat2.initialize(config, cpu, seed);
        Random r = new Random(seed);
        for (Tensor t : m.parameters().values()) {
            float[] d = t.data();
            boolean norm = t.name().contains("layernorm") || t.name().contains("ln_f");
            for (int i = 0; i < d.length; i++) d[i] = norm ? 1 + 0.2f * (float) r.nextGaussian() : sigma * (float) r.nextGaussian();
        }
        return m;
    }
}
