package wanka.plan;

import java.util.List;

/**
 * The recompute choices of one pipeline device and what they cost it (F5).
 *
 * @param rank          pipeline rank
 * @param layerIndices  the model layers this device runs (0-based, chunk by chunk)
 * @param layers        the choice of each of those layers, in the same order
 * @param chunkSeconds  backward seconds the choices add per micro-batch to each of the device's model chunks
 * @param memory        the device's peak memory with these choices (usable = the budget)
 */
public record DeviceRecompute(int rank, List<Integer> layerIndices, List<LayerRecompute> layers, List<Double> chunkSeconds,
                              MemoryBreakdown memory) {
    public DeviceRecompute {
        if (layerIndices.size() != layers.size()) throw new IllegalArgumentException("one choice per layer");
        layerIndices = List.copyOf(layerIndices);
        layers = List.copyOf(layers);
        chunkSeconds = List.copyOf(chunkSeconds);
    }

    /** @return backward seconds added per micro-batch, all chunks */
    public double secondsPerMicroBatch() {
        return chunkSeconds.stream().mapToDouble(Double::doubleValue).sum();
    }
}
