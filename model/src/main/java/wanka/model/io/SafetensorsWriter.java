package wanka.model.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import wanka.io.AtomicFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Writes float arrays as a safetensors file, atomically (temporary file + rename).
 *
 * <p>Tensors are stored in the given order, contiguously, little-endian, as F32 or BF16 (rounded to nearest even).
 * The header carries {@code "__metadata__": {"format": "pt"}} (what HF transformers expects) plus any extra entries,
 * and is padded with spaces to a multiple of 8 bytes so the data buffer starts 8-byte aligned.
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final int CHUNK_BYTES = 1 << 20;

    private SafetensorsWriter() {
    }

    /** Writes {@code arrays} as F32 with metadata {@code {"format": "pt"}}. */
    public static void write(Path file, Collection<NamedArray> arrays) throws IOException {
        write(file, arrays, SafetensorsDType.F32, Map.of());
    }

    /**
     * Writes {@code arrays} in the given element type.
     *
     * @param dtype    F32 or BF16
     * @param metadata extra {@code __metadata__} entries (added after, and able to replace, {@code "format": "pt"})
     * @throws IllegalArgumentException if {@code dtype} is neither F32 nor BF16, or two arrays share a name
     * @throws IOException              if writing fails; an existing {@code file} is then left unchanged
     */
    public static void write(Path file, Collection<NamedArray> arrays, SafetensorsDType dtype,
                             Map<String, String> metadata) throws IOException {
        if (dtype != SafetensorsDType.F32 && dtype != SafetensorsDType.BF16) {
            throw new IllegalArgumentException("can only write F32 or BF16, not " + dtype);
        }
        byte[] header = header(arrays, dtype, metadata);
        AtomicFiles.write(file, channel -> {
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
            AtomicFiles.writeFully(channel, prefix);
            AtomicFiles.writeFully(channel, ByteBuffer.wrap(header));
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (NamedArray a : arrays) {
                writeData(channel, chunk, a.data(), dtype);
            }
            chunk.flip();
            AtomicFiles.writeFully(channel, chunk);
        });
    }

    /** @return the number of data bytes {@code array} takes in {@code dtype} */
    public static long dataBytes(NamedArray array, SafetensorsDType dtype) {
        return (long) array.data().length * dtype.byteSize();
    }

    private static byte[] header(Collection<NamedArray> arrays, SafetensorsDType dtype, Map<String, String> metadata)
            throws IOException {
        ObjectNode root = JSON.createObjectNode();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.putAll(metadata);
        ObjectNode metaNode = root.putObject("__metadata__");
        meta.forEach(metaNode::put);
        Set<String> seen = new HashSet<>();
        long offset = 0;
        for (NamedArray a : arrays) {
            if (a.name().equals("__metadata__") || !seen.add(a.name())) {
                throw new IllegalArgumentException("duplicate or reserved tensor name '" + a.name() + "'");
            }
            long bytes = dataBytes(a, dtype);
            ObjectNode entry = root.putObject(a.name());
            entry.put("dtype", dtype.name());
            ArrayNode shape = entry.putArray("shape");
            for (long d : a.shape()) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(root);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        for (int i = json.length; i < padded; i++) {
            out[i] = ' ';
        }
        return out;
    }

    private static void writeData(FileChannel channel, ByteBuffer chunk, float[] data, SafetensorsDType dtype)
            throws IOException {
        for (float v : data) {
            if (chunk.remaining() < 4) {
                chunk.flip();
                AtomicFiles.writeFully(channel, chunk);
                chunk.clear();
            }
            if (dtype == SafetensorsDType.F32) {
                chunk.putFloat(v);
            } else {
                chunk.putShort(BFloat16.fromFloat(v));
            }
        }
    }
}
