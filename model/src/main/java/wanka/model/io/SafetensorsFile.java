package wanka.model.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A safetensors file, memory-mapped read-only and with its header parsed and checked.
 *
 * <p>Layout (https://huggingface.co/docs/safetensors): an 8-byte little-endian unsigned header length N, N bytes of
 * UTF-8 JSON {@code {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}} (may be
 * padded with trailing spaces), then the data buffer; offsets are relative to the buffer start, values are
 * little-endian and the tensors must cover the buffer exactly, without gaps or overlaps.
 *
 * <p>The mapping lives until {@link #close()}; slices from {@link #segment} are invalid after it. Instances may be read
 * from several threads.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** Largest header accepted, as in the reference implementation (100 MB). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    private static final String METADATA_KEY = "__metadata__";
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;          // closed by close() unless automatic
    private final boolean automatic;
    private final MemorySegment data;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, Arena arena, boolean automatic, MemorySegment data, Map<String, TensorInfo> tensors,
                            Map<String, String> metadata) {
        this.path = path;
        this.arena = arena;
        this.automatic = automatic;
        this.data = data;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /**
     * Maps and checks a safetensors file.
     *
     * @throws ModelFormatException if the file is truncated, its header is oversized or not valid JSON, or a tensor
     *                              entry is invalid (unknown dtype, shape/offset mismatch, offsets out of range,
     *                              overlapping or not covering the data buffer)
     * @throws IOException          if the file cannot be read
     */
    public static SafetensorsFile open(Path path) throws IOException {
        return open(path, false);
    }

    /**
     * Maps and checks a safetensors file, as {@link #open(Path)}; with {@code unmapWhenUnreachable} the mapping is
     * owned by an automatic arena instead: it stays valid for as long as this object or any segment from
     * {@link #segment} is reachable (e.g. held by memory-mapped weight tensors), is released by the garbage collector
     * after that, and {@link #close()} does nothing.
     */
    public static SafetensorsFile open(Path path, boolean unmapWhenUnreachable) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw error(path, "truncated: " + size + " bytes, less than the 8-byte header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            while (lengthBytes.hasRemaining()) {
                if (channel.read(lengthBytes, lengthBytes.position()) < 0) {
                    throw error(path, "truncated: end of file inside the header length");
                }
            }
            long headerLength = lengthBytes.getLong(0);
            if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
                throw error(path, "truncated/oversized header: header length " + Long.toUnsignedString(headerLength)
                        + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
            }
            if (headerLength > size - 8) {
                throw error(path, "truncated/oversized header: header length " + headerLength + " but only "
                        + (size - 8) + " bytes follow the length field");
            }
            Arena arena = unmapWhenUnreachable ? Arena.ofAuto() : Arena.ofShared();
            try {
                MemorySegment mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
                byte[] header = mapping.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
                MemorySegment data = mapping.asSlice(8 + headerLength);
                Header parsed = parseHeader(path, header, data.byteSize());
                return new SafetensorsFile(path, arena, unmapWhenUnreachable, data, parsed.tensors, parsed.metadata);
            } catch (IOException | RuntimeException e) {
                if (!unmapWhenUnreachable) arena.close();
                throw e;
            }
        }
    }

    private record Header(Map<String, TensorInfo> tensors, Map<String, String> metadata) {
    }

    private static Header parseHeader(Path path, byte[] header, long bufferSize) throws ModelFormatException {
        String text;
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(header));
            text = chars.toString();
        } catch (CharacterCodingException e) {
            throw error(path, "header is not valid UTF-8");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(path + ": header is not valid JSON: " + oneLine(e.getOriginalMessage()), e);
        }
        if (root == null || !root.isObject()) {
            throw error(path, "header is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> list = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                readMetadata(path, field.getValue(), metadata);
            } else {
                list.add(readEntry(path, field.getKey(), field.getValue(), bufferSize));
            }
        }
        list.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        checkCoverage(path, list, bufferSize);
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (TensorInfo t : list) {
            tensors.put(t.name(), t);
        }
        return new Header(Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
    }

    private static void readMetadata(Path path, JsonNode node, Map<String, String> out) throws ModelFormatException {
        if (!node.isObject()) {
            throw error(path, "\"" + METADATA_KEY + "\" must be an object of strings");
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw error(path, "\"" + METADATA_KEY + "\" entry '" + e.getKey() + "' must be a string");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
    }

    private static TensorInfo readEntry(Path path, String name, JsonNode node, long bufferSize)
            throws ModelFormatException {
        String where = "tensor '" + name + "': ";
        if (!node.isObject()) {
            throw error(path, where + "entry must be an object with dtype, shape and data_offsets");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw error(path, where + "missing or non-string 'dtype'");
        }
        SafetensorsDType dtype = SafetensorsDType.fromHeaderName(dtypeNode.textValue())
                .orElseThrow(() -> error(path, where + "unknown dtype '" + dtypeNode.textValue() + "'"));
        long[] shape = readLongs(node.get("shape"), -1);
        if (shape == null) {
            throw error(path, where + "'shape' must be an array of non-negative integers");
        }
        long[] offsets = readLongs(node.get("data_offsets"), 2);
        if (offsets == null || offsets[0] > offsets[1]) {
            throw error(path, where + "'data_offsets' must be [begin, end] with 0 <= begin <= end");
        }
        long begin = offsets[0];
        long end = offsets[1];
        long expectedBytes;
        try {
            expectedBytes = Math.multiplyExact(Shapes.numel(shape), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw error(path, where + "shape " + Shapes.format(shape) + " is too large");
        }
        if (expectedBytes != end - begin) {
            throw error(path, where + "shape " + Shapes.format(shape) + " of " + dtype + " needs " + expectedBytes
                    + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        if (end > bufferSize) {
            throw error(path, where + "data_offsets [" + begin + ", " + end + "] are out of range: the data buffer has "
                    + bufferSize + " bytes");
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    /** @return the non-negative integers of a JSON array (of {@code length} elements unless -1), or null */
    private static long[] readLongs(JsonNode node, int length) {
        if (node == null || !node.isArray() || (length >= 0 && node.size() != length)) {
            return null;
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                return null;
            }
            out[i] = v.longValue();
        }
        return out;
    }

    private static void checkCoverage(Path path, List<TensorInfo> sorted, long bufferSize)
            throws ModelFormatException {
        long position = 0;
        TensorInfo previous = null;
        for (TensorInfo t : sorted) {
            if (t.begin() < position) {
                throw error(path, "tensor '" + t.name() + "': data_offsets [" + t.begin() + ", " + t.end()
                        + "] overlap tensor '" + previous.name() + "' [" + previous.begin() + ", " + previous.end()
                        + "]");
            }
            if (t.begin() > position) {
                throw error(path, "data buffer bytes [" + position + ", " + t.begin()
                        + ") belong to no tensor (gap before tensor '" + t.name() + "')");
            }
            position = t.end();
            previous = t;
        }
        if (position != bufferSize) {
            throw error(path, "data buffer bytes [" + position + ", " + bufferSize
                    + ") belong to no tensor (trailing bytes)");
        }
    }

    private static ModelFormatException error(Path path, String message) {
        return new ModelFormatException(path + ": " + message);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    /** @return the file this was opened from */
    public Path path() {
        return path;
    }

    /** @return the tensor names, in the order of their data in the file */
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    /** @return true if the file holds a tensor of this name */
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** @return every tensor entry, by name, in the order of their data in the file */
    public Map<String, TensorInfo> infos() {
        return tensors;
    }

    /**
     * @return the header entry of a tensor
     * @throws IllegalArgumentException if there is no such tensor
     */
    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException(path + ": no tensor '" + name + "'");
        }
        return t;
    }

    /** @return the {@code __metadata__} map of the header (empty if absent) */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * @return the raw little-endian bytes of a tensor: a zero-copy, read-only slice of the mapping, valid until
     * {@link #close()}
     * @throws IllegalArgumentException if there is no such tensor
     */
    public MemorySegment segment(String name) {
        TensorInfo t = info(name);
        return data.asSlice(t.begin(), t.byteSize());
    }

    /**
     * Reads a tensor into a new float array, converting from F32, F16, BF16 or F64 (F64 rounds to nearest float).
     *
     * @throws IllegalArgumentException if there is no such tensor
     * @throws ModelFormatException     if the dtype is not a floating type or the tensor has more than
     *                                  {@code Integer.MAX_VALUE - 8} elements
     */
    public float[] readFloats(String name) throws ModelFormatException {
        TensorInfo t = info(name);
        if (!t.dtype().convertsToFloat()) {
            throw error(path, "tensor '" + name + "': dtype " + t.dtype() + " cannot be read as float");
        }
        long numel = t.numel();
        if (numel > Integer.MAX_VALUE - 8) {
            throw error(path, "tensor '" + name + "': " + numel + " elements do not fit in one float[]");
        }
        MemorySegment src = segment(name);
        float[] out = new float[(int) numel];
        switch (t.dtype()) {
            case F32 -> MemorySegment.copy(src, F32, 0, out, 0, out.length);
            case BF16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = BFloat16.toFloat(src.getAtIndex(I16, i));
                }
            }
            case F16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.float16ToFloat(src.getAtIndex(I16, i));
                }
            }
            case F64 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) src.getAtIndex(F64, i);
                }
            }
            default -> throw new AssertionError(t.dtype());
        }
        return out;
    }

    /**
     * Unmaps the file; segments obtained from {@link #segment} become invalid. Does nothing for a file opened with
     * {@code unmapWhenUnreachable} (the garbage collector unmaps it).
     */
    @Override
    public void close() {
        if (!automatic) arena.close();
    }
}
