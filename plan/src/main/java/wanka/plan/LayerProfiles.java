package wanka.plan;

import wanka.model.TeleChat2Config;

/**
 * Where a model's per-layer work comes from: models with the TeleChat2 architecture are traced on the META device
 * through the real model code ({@link MetaTrace}); others (the Megatron GPT family, whose code wanka does not have)
 * use the closed form of {@link LayerProfile#closedForm}. The two agree on FLOPs for TeleChat2 (MetaTraceTest).
 */
public final class LayerProfiles {
    private LayerProfiles() {
    }

    /** @return whether {@code m} is a TeleChat2-architecture model the wanka model code can run */
    public static boolean isTeleChat2(ModelSpec m) {
        return m.norm() == ModelSpec.Norm.RMS_NORM && m.mlp() == ModelSpec.Mlp.SWIGLU
                && m.biases() == ModelSpec.Biases.OUTPUT_ONLY && !m.tiedEmbeddings() && m.learnedPositions() == 0
                && !m.dropout() && m.flashAttention() && m.headDim() % 2 == 0;
    }

    /** The profile of one layer of {@code m}: a META trace for TeleChat2, the closed form otherwise. */
    public static LayerProfile of(ModelSpec m) {
        if (!isTeleChat2(m)) return LayerProfile.closedForm(m);
        // The vocabulary only sizes the embedding and LM head, which the trace's 2-layer − 1-layer difference cancels;
        // a small one keeps the tables under the tensor size limit for 1T-class models.
        return MetaTrace.teleChat2Layer(TeleChat2Config.of(256, m.hidden(), m.layers(), m.heads(), m.kvHeads(),
                m.ffn(), MetaTrace.S1));
    }
}
