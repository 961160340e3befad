package wanka.model;

import java.util.Map;

/**
 * A plain double-precision TeleChat2 forward written straight from the HF modeling code, independent of
 * the tensor engine: the yardstick for the real model's loss, logits and (through finite differences)
 * its gradients. Parameters are read from a name → double[] map in HF naming.
 */
final class ReferenceTeleChat2 {
    private final TeleChat2Config c;
    private final Map<String, double[]> p;

    ReferenceTeleChat2(TeleChat2Config c, Map<String, double[]> params) {
        this.c = c;
        this.p = params;
    }

    /** Logits [batch·seq][vocab]. */
    double[][] logits(int[] ids, int batch, int seq) {
        int d = c.hiddenSize(), V = c.vocabSize();
        double[][] x = new double[batch * seq][];
        double[] emb = p.get("transformer.word_embeddings.weight");
        for (int t = 0; t < x.length; t++) {
            x[t] = new double[d];
            System.arraycopy(emb, ids[t] * d, x[t], 0, d);
        }
        for (int l = 0; l < c.numLayers(); l++) x = block(l, x, batch, seq);
        double[][] out = new double[x.length][];
        double[] lnf = p.get("transformer.ln_f.weight"), lm = p.get("lm_head.weight");
        for (int t = 0; t < x.length; t++) out[t] = matvec(lm, V, d, rms(x[t], lnf), null);
        return out;
    }

    /** Mean cross-entropy over targets != -100. */
    double loss(int[] ids, int[] targets, int batch, int seq) {
        double[][] lg = logits(ids, batch, seq);
        double sum = 0;
        int n = 0;
        for (int t = 0; t < lg.length; t++) {
            if (targets[t] == -100) continue;
            double max = Double.NEGATIVE_INFINITY;
            for (double v : lg[t]) max = Math.max(max, v);
            double z = 0;
            for (double v : lg[t]) z += Math.exp(v - max);
            sum += Math.log(z) + max - lg[t][targets[t]];
            n++;
        }
        return sum / n;
    }

    private double[][] block(int l, double[][] x, int batch, int seq) {
        String pre = "transformer.h." + l + ".";
        int d = c.hiddenSize(), H = c.numHeads(), KV = c.numKvHeads(), D = c.headDim(), F = c.ffnHiddenSize();
        double[][] q = new double[x.length][], kv = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            double[] a = rms(x[t], p.get(pre + "input_layernorm.weight"));
            q[t] = matvec(p.get(pre + "self_attention.query.weight"), H * D, d, a, null);
            kv[t] = matvec(p.get(pre + "self_attention.key_value.weight"), 2 * KV * D, d, a, null);
            int pos = t % seq;
            for (int h = 0; h < H; h++) rope(q[t], h * D, D, pos);
            for (int g = 0; g < KV; g++) rope(kv[t], g * 2 * D, D, pos); // keys sit at g·2D, values at g·2D + D
        }
        double[][] out = new double[x.length][];
        for (int b = 0; b < batch; b++) {
            for (int s = 0; s < seq; s++) {
                int t = b * seq + s;
                double[] ctx = new double[H * D];
                for (int h = 0; h < H; h++) {
                    int g = h / (H / KV);
                    double[] sc = new double[s + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= s; j++) {
                        double dot = 0;
                        for (int i = 0; i < D; i++) dot += q[t][h * D + i] * kv[b * seq + j][g * 2 * D + i];
                        sc[j] = dot / Math.sqrt(D);
                        max = Math.max(max, sc[j]);
                    }
                    double z = 0;
                    for (int j = 0; j <= s; j++) z += (sc[j] = Math.exp(sc[j] - max));
                    for (int j = 0; j <= s; j++) {
                        for (int i = 0; i < D; i++) ctx[h * D + i] += sc[j] / z * kv[b * seq + j][g * 2 * D + D + i];
                    }
                }
                double[] o = matvec(p.get(pre + "self_attention.dense.weight"), d, H * D, ctx, p.get(pre + "self_attention.dense.bias"));
                double[] h1 = new double[d];
                for (int i = 0; i < d; i++) h1[i] = x[t][i] + o[i];
                double[] m = rms(h1, p.get(pre + "post_attention_layernorm.weight"));
                double[] gate = matvec(p.get(pre + "mlp.gate_proj.weight"), F, d, m, null);
                double[] up = matvec(p.get(pre + "mlp.up_proj.weight"), F, d, m, null);
                for (int i = 0; i < F; i++) gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
                double[] down = matvec(p.get(pre + "mlp.down_proj.weight"), d, F, gate, p.get(pre + "mlp.down_proj.bias"));
                out[t] = new double[d];
                for (int i = 0; i < d; i++) out[t][i] = h1[i] + down[i];
            }
        }
        return out;
    }

    private double[] rms(double[] x, double[] w) {
        double ss = 0;
        for (double v : x) ss += v * v;
        double r = 1 / Math.sqrt(ss / x.length + c.layerNormEpsilon());
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = x[i] * r * w[i];
        return y;
    }

    /** rotate_half RoPE, base 10000, on x[off .. off+D). */
    private void rope(double[] x, int off, int D, int pos) {
        double[] r = new double[D];
        for (int i = 0; i < D; i++) {
            double freq = pos / Math.pow(c.ropeTheta(), (2.0 * (i % (D / 2))) / D);
            double rot = i < D / 2 ? -x[off + i + D / 2] : x[off + i - D / 2];
            r[i] = x[off + i] * Math.cos(freq) + rot * Math.sin(freq);
        }
        System.arraycopy(r, 0, x, off, D);
    }

    private static double[] matvec(double[] w, int out, int in, double[] x, double[] bias) {
        double[] y = new double[out];
        for (int o = 0; o < out; o++) {
            double s = bias == null ? 0 : bias[o];
            for (int i = 0; i < in; i++) s += w[o * in + i] * x[i];
            y[o] = s;
        }
        return y;
    }
}
