package wanka.plan;

/**
 * One accelerator chip: its dense peak rates and its memory.
 *
 * @param name          e.g. "Ascend 910B"
 * @param peak16        dense peak FLOP/s for 16-bit (bf16/fp16) matrix multiplies
 * @param peak32        dense peak FLOP/s for fp32 (no TF32/HF32)
 * @param hbmBytes      device memory in bytes
 * @param usableBytes   what a training job can allocate (runtime, communication library and fragmentation
 *                      reserve taken off), the budget a layout must fit in
 * @param hbmBandwidth  device memory bandwidth in bytes/s
 */
public record Accelerator(String name, double peak16, double peak32, long hbmBytes, long usableBytes,
                          double hbmBandwidth) {
    public Accelerator {
        if (!(peak16 > 0) || !(peak32 > 0) || hbmBytes <= 0 || usableBytes <= 0 || usableBytes > hbmBytes
                || !(hbmBandwidth > 0)) {
            throw new IllegalArgumentException("accelerator " + name + ": rates and sizes must be positive, usable <= HBM");
        }
    }
}
