package wanka.plan;

/**
 * One training step's time on the critical device, split by what it spends it on. The parts add up to
 * {@link #total()}.
 *
 * @param matmul        matrix multiplies (forward and backward, without recomputation)
 * @param attention     attention core
 * @param memory        memory-bound ops (norms, activations, adds, softmax, dropout, loss)
 * @param overhead      per-kernel launch and tail cost
 * @param recompute     forward work redone in backward
 * @param tpComm        tensor-parallel collectives not hidden behind compute
 * @param ppBubble      pipeline bubble: time the device waits for its neighbours (includes point-to-point transfers)
 * @param dpComm        data-parallel gradient reduction (and ZeRO gathers) not hidden behind backward
 * @param optimizer     the optimizer update
 * @param modelFlops    model FLOPs of one step for the whole job (Megatron 2024 definition, §2.2: full s² attention,
 *                      no recomputation)
 * @param hardwareFlops FLOPs executed in one step on all devices (with recomputation, causal attention if fused)
 * @param mfu           model FLOPs utilisation: modelFlops / (total · devices · 16-bit peak)
 * @param tokensPerSecond tokens trained per second by the whole job
 */
public record StepTime(double matmul, double attention, double memory, double overhead, double recompute, double tpComm,
                       double ppBubble, double dpComm, double optimizer, double modelFlops, double hardwareFlops,
                       double mfu, double tokensPerSecond) {

    /** @return seconds per step */
    public double total() {
        return matmul + attention + memory + overhead + recompute + tpComm + ppBubble + dpComm + optimizer;
    }

    /** @return compute seconds (all classes, recomputation included) */
    public double compute() {
        return matmul + attention + memory + overhead + recompute;
    }
}
