package wanka.plan;

/**
 * Bytes per parameter and per activation element (§2.4).
 *
 * @param paramBytes      the working copy of a weight (2 for bf16/fp16)
 * @param gradBytes       a gradient (2 when reduced in 16 bits, 4 for Megatron's fp32 main grads)
 * @param optimizerBytes  optimizer state per parameter: fp32 master + Adam m and v = 12 (the ZeRO paper's K)
 * @param activationBytes an activation element (2 for 16-bit; the §2.3 formulas assume 2)
 */
public record Precision(int paramBytes, int gradBytes, int optimizerBytes, int activationBytes) {
    /** Mixed precision with 16-bit gradients: 16 bytes per parameter (ZeRO paper, §2.4). */
    public static final Precision MIXED_16 = new Precision(2, 2, 12, 2);
    /** bf16 weights with fp32 main gradients: 18 bytes per parameter (Megatron, §2.4). */
    public static final Precision BF16_FP32_GRADS = new Precision(2, 4, 12, 2);

    /**
     * fp32 throughout, as wanka trains on the CPU: 4-byte weights, gradients and activations, AdamW's m and v 4 bytes
     * each and no separate master copy: 16 bytes per parameter.
     */
    public static final Precision FP32 = new Precision(4, 4, 8, 4);

    public Precision {
        if (paramBytes <= 0 || gradBytes <= 0 || optimizerBytes < 0 || activationBytes <= 0) {
            throw new IllegalArgumentException("precision byte counts must be positive");
        }
    }
}
