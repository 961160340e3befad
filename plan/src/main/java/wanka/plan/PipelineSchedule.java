package wanka.plan;

/**
 * The order in which one pipeline device runs its forward and backward passes, as Megatron's schedules issue them.
 * Plain 1F1B (v = 1): min(p − r − 1, m) warm-up forwards, then alternating forward/backward, then the remaining
 * backwards. Interleaved 1F1B (v > 1): (p − r − 1)·2 + (v − 1)·p warm-up forwards over the v model chunks, chunk
 * of the k-th forward = (k mod pv)/p, its micro-batch (k / pv)·p + k mod p; backwards visit chunks in reverse
 * (§2.5).
 */
public final class PipelineSchedule {
    private PipelineSchedule() {
    }

    /** Layers of virtual stage {@code vs} of {@code stages}: l/stages each, the first l mod stages one more. */
    public static int layersOf(int totalLayers, int stages, int vs) {
        return totalLayers / stages + (vs < totalLayers % stages ? 1 : 0);
    }

    /** Index of the first layer of virtual stage {@code vs} (stages hold consecutive layers in order). */
    public static int firstLayerOf(int totalLayers, int stages, int vs) {
        return vs * (totalLayers / stages) + Math.min(vs, totalLayers % stages);
    }

    /** One pass: forward or backward of micro-batch {@code micro} through model chunk {@code chunk}. */
    public record Pass(boolean forward, int chunk, int micro) {
    }

    /** The passes device {@code rank} of {@code p} runs, in order, for m micro-batches and v chunks. */
    public static Pass[] order(int rank, int p, int v, int m) {
        int total = m * v;
        int warmup = v == 1 ? Math.min(p - rank - 1, m) : Math.min((p - rank - 1) * 2 + (v - 1) * p, total);
        Pass[] out = new Pass[2 * total];
        int n = 0, f = 0, b = 0;
        for (; f < warmup; f++) out[n++] = forward(f, p, v);
        while (f < total) {
            out[n++] = forward(f++, p, v);
            out[n++] = backward(b++, p, v);
        }
        while (b < total) out[n++] = backward(b++, p, v);
        return out;
    }

    private static Pass forward(int k, int p, int v) {
        return new Pass(true, (k % (p * v)) / p, (k / (p * v)) * p + k % p);
    }

    private static Pass backward(int k, int p, int v) {
        return new Pass(false, v - 1 - (k % (p * v)) / p, (k / (p * v)) * p + k % p);
    }
}
