package wanka.plan;

/**
 * Whose training code a cluster runs, which decides what the memory model counts: Megatron-LM / MindSpore style
 * mixed-precision training (the §2.3–2.4 terms, {@link MemoryModel}) or wanka's own fp32 trainer on the CPU (the
 * tensors its model code allocates, {@link WankaMemory}).
 */
public enum TrainingStack {
    /** Megatron-LM-style mixed precision on accelerators (the published runs the presets are calibrated on). */
    MEGATRON,
    /** wanka's parallel trainer on this machine's CPU ({@code wanka plan calibrate}). */
    WANKA_CPU
}
