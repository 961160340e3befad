package wanka.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code rank-NNNNN/shard.json}: what one rank's shard holds ({@link ShardTensor}s, stored in {@link #DATA}) and the
 * size and CRC-32C of its data file as the rank computed them while writing. A rank writes it last, so its presence
 * says the rank's part of the checkpoint is complete; rank 0 waits for every rank's index and copies their entries
 * into the {@link CheckpointManifest}, which commits the checkpoint.
 */
public record ShardIndex(int rank, List<ShardTensor> tensors, List<CheckpointManifest.Entry> files) {
    public static final String FILE = "shard.json";
    public static final String DATA = "shard.safetensors";

    private static final ObjectMapper JSON = new ObjectMapper();

    public ShardIndex {
        tensors = List.copyOf(tensors);
        files = List.copyOf(files);
    }

    /** The folder of rank {@code rank} inside a checkpoint directory: {@code rank-00003}. */
    public static String folder(int rank) {
        return String.format("rank-%05d", rank);
    }

    public byte[] toBytes() throws IOException {
        return JSON.writeValueAsBytes(this);
    }

    public static ShardIndex read(Path file) throws IOException {
        try {
            return JSON.readValue(file.toFile(), ShardIndex.class);
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": not a readable shard index (" + e.getOriginalMessage() + ")", e);
        }
    }
}
