package wanka.model.io;

import wanka.model.ParamRole;
import wanka.model.TeleChat2Config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Hugging Face weight names and shapes of a TeleChat2 model (remote-code layout: {@code transformer.h.{i}.
 * self_attention.{query,key_value,dense}}, {@code mlp.{gate,up,down}_proj}; biases only on {@code dense} and
 * {@code down_proj}; untied {@code lm_head}), and the check of a checkpoint against them.
 */
public final class WeightNames {
    /** Token embedding table [vocab, hidden]. */
    public static final String EMBEDDINGS = "transformer.word_embeddings.weight";
    /** Final RMSNorm weight [hidden]. */
    public static final String FINAL_NORM = "transformer.ln_f.weight";
    /** Output projection [vocab, hidden] (not tied to the embeddings). */
    public static final String LM_HEAD = "lm_head.weight";
    /** Per-layer suffixes, in the order {@link #expected} lists them. */
    public static final List<String> LAYER_SUFFIXES = List.of(
            "input_layernorm.weight",
            "self_attention.query.weight",
            "self_attention.key_value.weight",
            "self_attention.dense.weight",
            "self_attention.dense.bias",
            "post_attention_layernorm.weight",
            "mlp.gate_proj.weight",
            "mlp.up_proj.weight",
            "mlp.down_proj.weight",
            "mlp.down_proj.bias");
    private static final int MAX_LISTED_PROBLEMS = 5;

    private WeightNames() {
    }

    /** @return the full name of a per-layer weight, e.g. {@code layer(3, "mlp.up_proj.weight")} */
    public static String layer(int index, String suffix) {
        return "transformer.h." + index + "." + suffix;
    }

    /**
     * @return every weight of the model, with its role, in HF order: embeddings, layer by layer, final norm, lm_head. The
     * {@code key_value} rows interleave per kv head: [k_0, v_0, k_1, v_1, ...], each head_dim rows.
     */
    public static List<WeightSpec> expected(TeleChat2Config c) {
        long h = c.hiddenSize();
        long ffn = c.ffnHiddenSize();
        long v = c.vocabSize();
        List<WeightSpec> out = new ArrayList<>();
        out.add(new WeightSpec(EMBEDDINGS, new long[]{v, h}, ParamRole.EMBEDDING));
        for (int i = 0; i < c.numLayers(); i++) {
            out.add(new WeightSpec(layer(i, "input_layernorm.weight"), new long[]{h}, ParamRole.NORM_GAIN));
            out.add(new WeightSpec(layer(i, "self_attention.query.weight"), new long[]{h, h}, ParamRole.LINEAR_WEIGHT));
            out.add(new WeightSpec(layer(i, "self_attention.key_value.weight"), new long[]{2L * c.kvDim(), h}, ParamRole.LINEAR_WEIGHT));
            out.add(new WeightSpec(layer(i, "self_attention.dense.weight"), new long[]{h, h}, ParamRole.LINEAR_WEIGHT));
            out.add(new WeightSpec(layer(i, "self_attention.dense.bias"), new long[]{h}, ParamRole.BIAS));
            out.add(new WeightSpec(layer(i, "post_attention_layernorm.weight"), new long[]{h}, ParamRole.NORM_GAIN));
            out.add(new WeightSpec(layer(i, "mlp.gate_proj.weight"), new long[]{ffn, h}, ParamRole.LINEAR_WEIGHT));
            out.add(new WeightSpec(layer(i, "mlp.up_proj.weight"), new long[]{ffn, h}, ParamRole.LINEAR_WEIGHT));
            out.add(new WeightSpec(layer(i, "mlp.down_proj.weight"), new long[]{h, ffn}, ParamRole.LINEAR_WEIGHT));
            out.add(new WeightSpec(layer(i, "mlp.down_proj.bias"), new long[]{h}, ParamRole.BIAS));
        }
        out.add(new WeightSpec(FINAL_NORM, new long[]{h}, ParamRole.NORM_GAIN));
        out.add(new WeightSpec(LM_HEAD, new long[]{v, h}, ParamRole.HEAD));
        return out;
    }

    /**
     * @param found the tensors of a checkpoint: name to shape
     * @return one line per problem (missing tensor, wrong shape, unexpected tensor), empty if the checkpoint matches
     */
    public static List<String> problems(TeleChat2Config config, Map<String, long[]> found) {
        List<String> problems = new ArrayList<>();
        Map<String, long[]> rest = new LinkedHashMap<>(found);
        for (WeightSpec w : expected(config)) {
            long[] shape = rest.remove(w.name());
            if (shape == null) {
                problems.add("missing tensor '" + w.name() + "' (expected shape " + Shapes.format(w.shape()) + ")");
            } else if (!Arrays.equals(shape, w.shape())) {
                problems.add("tensor '" + w.name() + "' has shape " + Shapes.format(shape) + ", expected "
                        + Shapes.format(w.shape()));
            }
        }
        for (Map.Entry<String, long[]> e : rest.entrySet()) {
            problems.add("unexpected tensor '" + e.getKey() + "' with shape " + Shapes.format(e.getValue()));
        }
        return problems;
    }

    /**
     * Checks that a checkpoint holds exactly the weights of {@code config}.
     *
     * @param dir the model directory, named in the error
     * @throws ModelFormatException one line: the directory, the first few problems and how many more there are
     */
    public static void validate(TeleChat2Config config, Map<String, long[]> found, Path dir)
            throws ModelFormatException {
        List<String> problems = problems(config, found);
        if (problems.isEmpty()) {
            return;
        }
        StringBuilder msg = new StringBuilder().append(dir).append(": weights do not match the config: ");
        msg.append(String.join("; ", problems.subList(0, Math.min(MAX_LISTED_PROBLEMS, problems.size()))));
        if (problems.size() > MAX_LISTED_PROBLEMS) {
            msg.append("; and ").append(problems.size() - MAX_LISTED_PROBLEMS).append(" more problems");
        }
        throw new ModelFormatException(msg.toString());
    }
}
