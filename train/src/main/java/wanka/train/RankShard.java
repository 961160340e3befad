package wanka.train;

import wanka.io.AtomicFiles;
import wanka.model.io.NamedArray;
import wanka.model.io.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One rank's part of a sharded checkpoint, copied out of the live training state: the parameters and optimizer
 * moments this rank is the one to save, as {@link ShardTensor}s with their values. Taking it is all a training step
 * pays for a checkpoint; {@link #writeInto} (serialisation and I/O) may then run on another thread while training
 * goes on, since the arrays are copies.
 */
public record RankShard(int rank, long step, List<ShardTensor> tensors, List<float[]> arrays) {
    public RankShard {
        tensors = List.copyOf(tensors);
        arrays = List.copyOf(arrays);
        if (tensors.size() != arrays.size()) throw new IllegalArgumentException(tensors.size() + " tensors, " + arrays.size() + " arrays");
    }

    /** Bytes of values held. */
    public long bytes() {
        long n = 0;
        for (float[] a : arrays) n += 4L * a.length;
        return n;
    }

    /**
     * Writes {@code rank-NNNNN/shard.safetensors} and then, last, {@code rank-NNNNN/shard.json} (which lists the data
     * file's size and CRC-32C) into {@code checkpointDir}; returns the index.
     */
    public ShardIndex writeInto(Path checkpointDir) throws IOException {
        String folder = ShardIndex.folder(rank);
        Path dir = checkpointDir.resolve(folder);
        Files.createDirectories(dir);
        List<NamedArray> named = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) named.add(new NamedArray(tensors.get(i).key(), new long[]{arrays.get(i).length}, arrays.get(i)));
        Path data = dir.resolve(ShardIndex.DATA);
        SafetensorsWriter.write(data, named);
        CheckpointManifest.Entry entry = new CheckpointManifest.Entry(folder + "/" + ShardIndex.DATA, Files.size(data), CheckpointManifest.crc32c(data));
        ShardIndex index = new ShardIndex(rank, tensors, List.of(entry));
        AtomicFiles.write(dir.resolve(ShardIndex.FILE), index.toBytes());
        return index;
    }
}
