package wanka.plan;

import java.util.Comparator;
import java.util.List;

/**
 * The per-layer, per-op recompute choice for every pipeline device of a layout (F5), as {@link RecomputeOptimizer}
 * found it.
 *
 * @param devices one entry per pipeline rank
 * @param budget  the per-device memory budget in bytes
 * @param exact   whether every device's choice is proven optimal (the search was not cut short)
 */
public record RecomputeSolution(List<DeviceRecompute> devices, double budget, boolean exact) {
    public RecomputeSolution {
        devices = List.copyOf(devices);
    }

    /** @return the most loaded device's memory */
    public MemoryBreakdown peak() {
        return devices.stream().map(DeviceRecompute::memory).max(Comparator.comparingDouble(MemoryBreakdown::total)).orElseThrow();
    }

    /** @return whether every device fits the budget */
    public boolean fits() {
        return devices.stream().allMatch(d -> d.memory().fits());
    }

    /** Backward seconds added per micro-batch to each virtual stage c·p + r, for {@link TimeModel#estimate}. */
    public double[] perVirtualStage(int p, int v) {
        double[] out = new double[p * v];
        for (DeviceRecompute d : devices) {
            for (int c = 0; c < v; c++) out[c * p + d.rank()] = d.chunkSeconds().get(c);
        }
        return out;
    }
}
