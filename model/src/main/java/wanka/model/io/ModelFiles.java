package wanka.model.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import wanka.io.AtomicFiles;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The weights of a Hugging Face model directory: either one {@code model.safetensors} or shards
 * {@code model-0000i-of-0000n.safetensors} listed in {@code model.safetensors.index.json}
 * ({@code {"metadata": {"total_size": bytes}, "weight_map": {tensor: shard file}}}).
 *
 * <p>An open instance keeps every file mapped until {@link #close()}.
 */
public final class ModelFiles implements AutoCloseable {
    /** Name of the single-file checkpoint. */
    public static final String SINGLE_FILE = "model.safetensors";
    /** Name of the shard index. */
    public static final String INDEX_FILE = "model.safetensors.index.json";
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private final Path dir;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> byTensor;

    private ModelFiles(Path dir, List<SafetensorsFile> files, Map<String, SafetensorsFile> byTensor) {
        this.dir = dir;
        this.files = files;
        this.byTensor = byTensor;
    }

    /**
     * Opens the weights of a model directory. As in HF transformers, {@code model.safetensors} is used when present,
     * else the index.
     *
     * @throws ModelFormatException if neither file exists, the index is malformed, a shard is missing, a tensor of
     *                              the index is absent from its shard (or the other way round), a tensor appears
     *                              twice, or a file is a malformed safetensors file
     */
    public static ModelFiles open(Path dir) throws IOException {
        return open(dir, false);
    }

    /**
     * Opens a model directory as {@link #open(Path)}; with {@code unmapWhenUnreachable} every file is mapped as by
     * {@link SafetensorsFile#open(Path, boolean)}: its segments stay valid while reachable, even after {@link #close()}.
     */
    public static ModelFiles open(Path dir, boolean unmapWhenUnreachable) throws IOException {
        Path single = dir.resolve(SINGLE_FILE);
        Path index = dir.resolve(INDEX_FILE);
        if (Files.isRegularFile(single)) {
            SafetensorsFile file = SafetensorsFile.open(single, unmapWhenUnreachable);
            Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
            for (String name : file.names()) {
                byTensor.put(name, file);
            }
            return new ModelFiles(dir, List.of(file), Collections.unmodifiableMap(byTensor));
        }
        if (!Files.isRegularFile(index)) {
            throw new ModelFormatException(dir + ": no " + SINGLE_FILE + " and no " + INDEX_FILE);
        }
        return openSharded(dir, index, unmapWhenUnreachable);
    }

    private static ModelFiles openSharded(Path dir, Path index, boolean unmapWhenUnreachable) throws IOException {
        Map<String, List<String>> tensorsByShard = readIndex(index);
        List<SafetensorsFile> files = new ArrayList<>();
        Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, List<String>> e : tensorsByShard.entrySet()) {
                String shardName = e.getKey();
                SafetensorsFile shard;
                try {
                    shard = SafetensorsFile.open(dir.resolve(shardName), unmapWhenUnreachable);
                } catch (NoSuchFileException missing) {
                    throw new ModelFormatException(index + ": shard '" + shardName + "' (holding '"
                            + e.getValue().getFirst() + "' and " + (e.getValue().size() - 1)
                            + " more tensors) does not exist", missing);
                }
                files.add(shard);
                for (String tensor : e.getValue()) {
                    if (!shard.contains(tensor)) {
                        throw new ModelFormatException(index + ": tensor '" + tensor + "' is listed in shard '"
                                + shardName + "' but that shard has no such tensor");
                    }
                    byTensor.put(tensor, shard);
                }
                for (String tensor : shard.names()) {
                    if (!byTensor.containsKey(tensor) || byTensor.get(tensor) != shard) {
                        throw new ModelFormatException(index + ": shard '" + shardName + "' holds tensor '" + tensor
                                + "' that the index does not list for it");
                    }
                }
            }
        } catch (IOException | RuntimeException ex) {
            files.forEach(SafetensorsFile::close);
            throw ex;
        }
        return new ModelFiles(dir, List.copyOf(files), Collections.unmodifiableMap(byTensor));
    }

    /** @return the index's weight map grouped by shard file name, shards in first-mention order */
    private static Map<String, List<String>> readIndex(Path index) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(index));
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(index + ": not valid JSON: "
                    + e.getOriginalMessage().replaceAll("\\s*\\R\\s*", " "), e);
        }
        JsonNode weightMap = root == null ? null : root.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new ModelFormatException(index + ": missing object field 'weight_map'");
        }
        Map<String, List<String>> byShard = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : weightMap.properties()) {
            JsonNode shard = e.getValue();
            if (!shard.isTextual() || !isPlainFileName(shard.textValue())) {
                throw new ModelFormatException(index + ": weight_map entry '" + e.getKey()
                        + "' must be the file name of a shard in the same folder, got " + shard);
            }
            byShard.computeIfAbsent(shard.textValue(), k -> new ArrayList<>()).add(e.getKey());
        }
        return byShard;
    }

    private static boolean isPlainFileName(String name) {
        return !name.isEmpty() && !name.equals(".") && !name.equals("..") && name.indexOf('/') < 0
                && name.indexOf('\\') < 0;
    }

    /** @return the model directory */
    public Path dir() {
        return dir;
    }

    /** @return the open safetensors files (one, or one per shard) */
    public List<SafetensorsFile> files() {
        return files;
    }

    /** @return all tensor names, file by file */
    public List<String> names() {
        return List.copyOf(byTensor.keySet());
    }

    /** @return the shape of every tensor, by name */
    public Map<String, long[]> shapes() {
        Map<String, long[]> out = new LinkedHashMap<>();
        byTensor.forEach((name, file) -> out.put(name, file.info(name).shape()));
        return out;
    }

    /**
     * @return the header entry of a tensor (offsets relative to its own file's data buffer)
     * @throws IllegalArgumentException if there is no such tensor
     */
    public TensorInfo info(String name) {
        return fileOf(name).info(name);
    }

    /** @see SafetensorsFile#segment(String) */
    public MemorySegment segment(String name) {
        return fileOf(name).segment(name);
    }

    /** @see SafetensorsFile#readFloats(String) */
    public float[] readFloats(String name) throws ModelFormatException {
        return fileOf(name).readFloats(name);
    }

    private SafetensorsFile fileOf(String name) {
        SafetensorsFile f = byTensor.get(name);
        if (f == null) {
            throw new IllegalArgumentException(dir + ": no tensor '" + name + "'");
        }
        return f;
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }

    /**
     * Writes weights into {@code dir}: one {@code model.safetensors} if the data fit in {@code maxShardBytes}, else
     * shards of at most {@code maxShardBytes} data bytes each (a larger tensor gets a shard of its own) plus the
     * index. Every file is written atomically; afterwards the weight files of an earlier checkpoint in {@code dir}
     * that the new one does not use (the single file, the index, shards the old index listed) are deleted.
     * Rewriting a sharded checkpoint in place is not crash-safe as a whole; write to a fresh folder for that.
     *
     * @param dtype F32 or BF16
     * @return the files written, the index last
     */
    public static List<Path> write(Path dir, List<NamedArray> arrays, SafetensorsDType dtype, long maxShardBytes)
            throws IOException {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maxShardBytes must be positive, got " + maxShardBytes);
        }
        Files.createDirectories(dir);
        List<String> oldFiles = existingWeightFiles(dir);
        List<List<NamedArray>> shards = new ArrayList<>();
        List<NamedArray> current = new ArrayList<>();
        long currentBytes = 0;
        long totalBytes = 0;
        for (NamedArray a : arrays) {
            long bytes = SafetensorsWriter.dataBytes(a, dtype);
            if (!current.isEmpty() && currentBytes + bytes > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(a);
            currentBytes += bytes;
            totalBytes += bytes;
        }
        shards.add(current);
        List<Path> written = new ArrayList<>();
        if (shards.size() == 1) {
            Path file = dir.resolve(SINGLE_FILE);
            SafetensorsWriter.write(file, shards.getFirst(), dtype, Map.of());
            written.add(file);
        } else {
            Map<String, String> weightMap = new TreeMap<>();
            for (int i = 0; i < shards.size(); i++) {
                String name = shardName(i + 1, shards.size());
                Path file = dir.resolve(name);
                SafetensorsWriter.write(file, shards.get(i), dtype, Map.of());
                written.add(file);
                for (NamedArray a : shards.get(i)) {
                    weightMap.put(a.name(), name);
                }
            }
            ObjectNode root = JSON.createObjectNode();
            root.putObject("metadata").put("total_size", totalBytes);
            ObjectNode map = root.putObject("weight_map");
            weightMap.forEach(map::put);
            Path index = dir.resolve(INDEX_FILE);
            AtomicFiles.write(index, JSON.writeValueAsBytes(root));
            written.add(index);
        }
        for (String old : oldFiles) {
            Path p = dir.resolve(old);
            if (!written.contains(p)) {
                Files.deleteIfExists(p);
            }
        }
        return written;
    }

    /** @return the HF shard file name, e.g. {@code model-00001-of-00003.safetensors} */
    public static String shardName(int number, int count) {
        return String.format("model-%05d-of-%05d.safetensors", number, count);
    }

    /** @return the single file, the index and the shards the index lists, where they exist */
    private static List<String> existingWeightFiles(Path dir) {
        List<String> out = new ArrayList<>();
        if (Files.exists(dir.resolve(SINGLE_FILE))) {
            out.add(SINGLE_FILE);
        }
        Path index = dir.resolve(INDEX_FILE);
        if (Files.exists(index)) {
            try {
                out.addAll(readIndex(index).keySet());
            } catch (IOException unreadable) {
                // A broken old index still goes, but its shards cannot be known and stay.
            }
            out.add(INDEX_FILE);
        }
        return out;
    }
}
