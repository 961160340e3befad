package wanka.plan;

import java.util.List;

/**
 * The activations one pre-norm transformer layer saves for its backward, each with its bytes on one tensor-parallel
 * rank for one micro-batch of b sequences of length s (16-bit, 1-byte dropout masks). They are the terms of
 * {@code parallel-formulas.md} §2.3 (Korthikanti et al. 2022, Table 2) split by the op that produces them, so that a
 * recompute plan (F5) can choose per tensor how to hold it ({@link Storage}).
 *
 * <p>With every tensor kept whole they add up to the §2.3 "no recompute" rows: replicated 10sbh (layer input,
 * residual, the two linear inputs, the dropout masks), split 24sbh/t for GPT (Q, K, V, context, MLP inner), scores
 * 5as²b/t; the linear inputs are what sequence parallelism slices (34sbh/t needs them sliced, see
 * {@link LayerRecompute#of}).
 */
public enum SavedActivation {
    /** x, the layer input and first norm's input: 2sbh (÷t with SP). The checkpoint every recomputation starts from. */
    LAYER_INPUT("layer-input"),
    /** The first norm's output, the QKV projection's input: 2sbh (all-gathered with SP). */
    ATTN_NORM_OUT("attn-norm-out"),
    /** Q, K and V after the QKV projection (and rotary): 2sbh/t + 4sb·g·d_h/t. */
    QKV("qkv"),
    /** The attention core's internals: softmax output, dropout mask and output 5as²b/t; fused: softmax statistics 4sba/t. */
    ATTN_SCORES("attn-scores"),
    /** The attention core's output, the output projection's input: 2sbh/t. */
    ATTN_CONTEXT("attn-context"),
    /** x + attention, the residual stream and second norm's input: 2sbh (÷t with SP). */
    ATTN_RESIDUAL("attn-residual"),
    /** The second norm's output, the MLP's input: 2sbh (all-gathered with SP). */
    MLP_NORM_OUT("mlp-norm-out"),
    /** The MLP's first projection output: GeLU input 2sbf/t, or SwiGLU gate and up 4sbf/t. */
    MLP_FC1_OUT("mlp-fc1-out"),
    /** The activation's output, the down projection's input: 2sbf/t (GeLU output, or SwiGLU's silu(gate)·up). */
    MLP_ACT_OUT("mlp-act-out"),
    /** The two residual dropout masks, 1 byte per element: 2sbh (÷t with SP); none without dropout. */
    DROPOUT_MASKS("dropout-masks");

    private final String label;

    SavedActivation(String label) {
        this.label = label;
    }

    /** @return the name used on the command line and in plan files */
    public String label() {
        return label;
    }

    /** @return the activation of this label */
    public static SavedActivation parse(String s) {
        for (SavedActivation a : values()) if (a.label.equalsIgnoreCase(s)) return a;
        StringBuilder known = new StringBuilder();
        for (SavedActivation a : values()) known.append(known.isEmpty() ? "" : ", ").append(a.label);
        throw new IllegalArgumentException("unknown activation '" + s + "'; known: " + known);
    }

    /** Bytes of this tensor kept whole on one TP rank for one micro-batch (§2.3 terms). */
    public double bytes(ModelSpec m, long s, long b, int t, boolean sp) {
        double sbh = (double) s * b * m.hidden();
        double rep = sp ? t : 1;
        return switch (this) {
            case LAYER_INPUT, ATTN_RESIDUAL -> 2 * sbh / rep;
            case ATTN_NORM_OUT, MLP_NORM_OUT -> 2 * sbh;
            case QKV -> (2 * sbh + 4.0 * s * b * m.kvHeads() * m.headDim()) / t;
            case ATTN_SCORES -> ActivationMemory.scores(m, s, b) / t;
            case ATTN_CONTEXT -> 2 * sbh / t;
            case MLP_FC1_OUT -> (m.mlp() == ModelSpec.Mlp.SWIGLU ? 4.0 : 2.0) * s * b * m.ffn() / t;
            case MLP_ACT_OUT -> 2.0 * s * b * m.ffn() / t;
            case DROPOUT_MASKS -> m.dropout() ? 2 * sbh / rep : 0;
        };
    }

    /** Bytes held under {@code st}: whole, a 1/t slice, or nothing. */
    public double bytes(ModelSpec m, long s, long b, int t, boolean sp, Storage st) {
        return switch (st) {
            case KEEP -> bytes(m, s, b, t, sp);
            case SLICE -> bytes(m, s, b, t, sp) / t;
            case RECOMPUTE -> 0;
        };
    }

    /**
     * How this tensor may be held: the layer input is always kept (it is the checkpoint); the two linear inputs may
     * also be sliced when t > 1; the masks exist only with dropout; everything else is kept or recomputed.
     */
    public List<Storage> options(ModelSpec m, int t) {
        return switch (this) {
            case LAYER_INPUT -> List.of(Storage.KEEP);
            case ATTN_NORM_OUT, MLP_NORM_OUT -> t > 1 ? List.of(Storage.KEEP, Storage.SLICE, Storage.RECOMPUTE)
                    : List.of(Storage.KEEP, Storage.RECOMPUTE);
            case DROPOUT_MASKS -> m.dropout() ? List.of(Storage.KEEP, Storage.RECOMPUTE) : List.of(Storage.KEEP);
            default -> List.of(Storage.KEEP, Storage.RECOMPUTE);
        };
    }
}
