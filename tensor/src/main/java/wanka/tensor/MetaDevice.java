package wanka.tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A device without data: tensors have shapes only. Every op run on it adds its floating-point work and
 * the bytes it moves to per-op counters, and allocations are tracked like on a real device, so a model
 * can be costed (FLOPs, traffic, peak memory) at any size on a small machine.
 */
public final class MetaDevice extends Device {
    private final Map<String, OpCost> costs = new LinkedHashMap<>();

    /** Accumulated cost of one kind of op. */
    public record OpCost(String op, long calls, double flops, double bytes) {
        OpCost plus(double f, double b) {
            return new OpCost(op, calls + 1, flops + f, bytes + b);
        }
    }

    /** Records one execution of {@code op}: {@code flops} floating-point operations moving {@code bytes} bytes. */
    public synchronized void record(String op, double flops, double bytes) {
        costs.merge(op, new OpCost(op, 1, flops, bytes), (a, b) -> a.plus(b.flops(), b.bytes()));
    }

    /** Costs per op name, in first-seen order. */
    public synchronized Map<String, OpCost> costs() {
        return Map.copyOf(new LinkedHashMap<>(costs));
    }

    /** Sum of recorded FLOPs. */
    public synchronized double totalFlops() {
        return costs.values().stream().mapToDouble(OpCost::flops).sum();
    }

    public synchronized void resetCosts() {
        costs.clear();
    }

    @Override
    public String toString() {
        return "meta";
    }
}
