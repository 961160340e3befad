package wanka.model.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafetensorsFileTest {
    @TempDir
    Path dir;

    /** Builds a file by the spec: u64 LE header length, the header bytes as given, then the data bytes. */
    private Path raw(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path p = dir.resolve("t.safetensors");
        Files.write(p, b.array());
        return p;
    }

    private static byte[] le(int bytes, java.util.function.Consumer<ByteBuffer> fill) {
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        fill.accept(b);
        return b.array();
    }

    @Test
    void readsAHandBuiltFileOfEveryFloatType() throws IOException {
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"f32\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"f64\":{\"dtype\":\"F64\",\"shape\":[1,1],\"data_offsets\":[8,16]},"
                + "\"bf16\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[16,20]},"
                + "\"f16\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[20,24]},"
                + "\"scalar\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[24,28]}}   ";
        byte[] data = le(28, b -> b.putFloat(1.5f).putFloat(-2.25f).putDouble(0.1)
                .putShort((short) 0x3FC0).putShort((short) 0xC040)   // bf16 1.5, -3.0
                .putShort((short) 0x3C00).putShort((short) 0x7BFF)   // f16 1.0, 65504
                .putInt(7));
        try (SafetensorsFile f = SafetensorsFile.open(raw(header, data))) {
            assertThat(f.names()).containsExactly("f32", "f64", "bf16", "f16", "scalar");
            assertThat(f.metadata()).isEqualTo(Map.of("format", "pt"));
            assertThat(f.readFloats("f32")).containsExactly(1.5f, -2.25f);
            assertThat(f.readFloats("f64")).containsExactly(0.1f);
            assertThat(f.readFloats("bf16")).containsExactly(1.5f, -3.0f);
            assertThat(f.readFloats("f16")).containsExactly(1.0f, 65504f);
            assertThat(f.info("f64")).isEqualTo(new TensorInfo("f64", SafetensorsDType.F64, new long[]{1, 1}, 8, 16));
            assertThat(f.info("scalar").numel()).isEqualTo(1);
            assertThat(f.segment("scalar").get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0))
                    .isEqualTo(7);
            assertThatThrownBy(() -> f.readFloats("scalar")).isInstanceOf(ModelFormatException.class)
                    .hasMessageContaining("tensor 'scalar': dtype I32 cannot be read as float");
            assertThatThrownBy(() -> f.info("nope")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no tensor 'nope'");
        }
    }

    @Test
    void writerOutputFollowsTheSpecAndRoundTrips() throws IOException {
        Path p = dir.resolve("w.safetensors");
        NamedArray a = new NamedArray("a.weight", new long[]{2, 3}, new float[]{1, 2, 3, 4, 5, -0.0f});
        NamedArray b = new NamedArray("b.bias", new long[]{1}, new float[]{Float.NaN});
        SafetensorsWriter.write(p, List.of(a, b));

        byte[] bytes = Files.readAllBytes(p);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertThat(n % 8).isZero();
        assertThat(bytes[8]).isEqualTo((byte) '{');
        assertThat(bytes.length).isEqualTo(8 + n + 7 * 4);
        assertThat(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getFloat((int) (8 + n + 4))).isEqualTo(2f);

        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertThat(f.names()).containsExactly("a.weight", "b.bias");
            assertThat(f.metadata()).containsEntry("format", "pt");
            assertThat(f.info("a.weight")).isEqualTo(
                    new TensorInfo("a.weight", SafetensorsDType.F32, new long[]{2, 3}, 0, 24));
            assertThat(f.readFloats("a.weight")).containsExactly(a.data());
            assertThat(Float.isNaN(f.readFloats("b.bias")[0])).isTrue();
            MemorySegment s = f.segment("a.weight");
            assertThat(s.byteSize()).isEqualTo(24);
            assertThat(s.isReadOnly()).isTrue();
            assertThat(s.isMapped()).isTrue();
        }
    }

    @Test
    void bf16IsRoundedToNearestEven() throws IOException {
        float tieDown = 1f + 0x1p-8f;         // halfway between 1 and 1+2^-7: even is 1
        float tieUp = 1f + 3 * 0x1p-8f;       // halfway between 1+2^-7 and 1+2^-6: even is 1+2^-6
        float above = 1f + 0x1p-8f + 0x1p-20f; // just above a tie: rounds up
        float[] in = {tieDown, tieUp, above, -2.5f, Float.MAX_VALUE, Float.NEGATIVE_INFINITY, 1e-40f};
        Path p = dir.resolve("bf.safetensors");
        SafetensorsWriter.write(p, List.of(new NamedArray("x", new long[]{in.length}, in)), SafetensorsDType.BF16,
                Map.of("step", "3"));
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertThat(f.info("x").dtype()).isEqualTo(SafetensorsDType.BF16);
            assertThat(f.metadata()).containsEntry("format", "pt").containsEntry("step", "3");
            assertThat(f.readFloats("x")).containsExactly(1f, 1f + 0x1p-6f, 1f + 0x1p-7f, -2.5f,
                    Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, BFloat16.toFloat(BFloat16.fromFloat(1e-40f)));
        }
        assertThat(Float.isNaN(BFloat16.toFloat(BFloat16.fromFloat(Float.intBitsToFloat(0x7F800001))))).isTrue();
    }

    @Test
    void writerRejectsDuplicatesAndKeepsTheOldFile() throws IOException {
        Path p = dir.resolve("keep.safetensors");
        SafetensorsWriter.write(p, List.of(new NamedArray("a", new long[]{1}, new float[]{1})));
        byte[] before = Files.readAllBytes(p);
        NamedArray x = new NamedArray("x", new long[]{1}, new float[]{2});
        assertThatThrownBy(() -> SafetensorsWriter.write(p, List.of(x, x)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'x'");
        assertThatThrownBy(() -> SafetensorsWriter.write(p, List.of(x), SafetensorsDType.F16, Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Files.readAllBytes(p)).isEqualTo(before);
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(p);
        }
    }

    @Test
    void namedArrayChecksShape() {
        assertThatThrownBy(() -> new NamedArray("w", new long[]{2, 2}, new float[3]))
                .hasMessage("tensor 'w': shape [2, 2] has 4 elements but the data has 3");
    }

    // ---- bad input ----

    private void assertOpenFails(Path p, String... fragments) {
        assertThatThrownBy(() -> SafetensorsFile.open(p).close())
                .isInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith(p.toString())
                .hasMessageContainingAll(fragments)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    private static final String ONE = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

    @Test
    void truncatedFile() throws IOException {
        Path p = dir.resolve("short.safetensors");
        Files.write(p, new byte[5]);
        assertOpenFails(p, "truncated: 5 bytes");
    }

    @Test
    void headerLengthPastEndOfFile() throws IOException {
        Path p = dir.resolve("past.safetensors");
        Files.write(p, le(8 + 10, b -> b.putLong(1000).put("{\"a\":1}   ".getBytes(StandardCharsets.UTF_8))));
        assertOpenFails(p, "truncated/oversized header", "header length 1000 but only 10 bytes follow");
    }

    @Test
    void oversizedHeader() throws IOException {
        Path p = dir.resolve("big.safetensors");
        Files.write(p, le(16, b -> b.putLong(200_000_000L)));
        assertOpenFails(p, "truncated/oversized header", "exceeds the limit");
        Files.write(p, le(16, b -> b.putLong(-1L)));
        assertOpenFails(p, "truncated/oversized header", "18446744073709551615");
    }

    @Test
    void truncatedData() throws IOException {
        assertOpenFails(raw(ONE, new byte[6]), "tensor 'a'", "out of range", "data buffer has 6 bytes");
    }

    @Test
    void corruptJson() throws IOException {
        assertOpenFails(raw("{\"a\":{\"dtype\":", new byte[0]), "header is not valid JSON");
        assertOpenFails(raw("[1,2]", new byte[0]), "header is not a JSON object");
        assertOpenFails(raw(ONE + ONE, new byte[8]), "header is not valid JSON");
        assertOpenFails(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}", new byte[0]), "not valid JSON",
                "Duplicate field 'a'");
        Path p = dir.resolve("utf.safetensors");
        Files.write(p, le(8 + 4, b -> b.putLong(4).put(new byte[]{'{', (byte) 0xC3, '}', ' '})));
        assertOpenFails(p, "not valid UTF-8");
        assertOpenFails(raw("{\"__metadata__\":{\"step\":3}}", new byte[0]), "'step' must be a string");
    }

    @Test
    void badEntries() throws IOException {
        assertOpenFails(raw(ONE.replace("F32", "F128"), new byte[8]), "tensor 'a': unknown dtype 'F128'");
        assertOpenFails(raw(ONE.replace("\"dtype\":\"F32\",", ""), new byte[8]), "tensor 'a': missing");
        assertOpenFails(raw(ONE.replace("[2]", "[-2]"), new byte[8]), "tensor 'a': 'shape' must be");
        assertOpenFails(raw(ONE.replace("[0,8]", "[8,0]"), new byte[8]), "tensor 'a': 'data_offsets' must be");
        assertOpenFails(raw(ONE.replace("[0,8]", "[0,8,9]"), new byte[8]), "tensor 'a': 'data_offsets' must be");
        assertOpenFails(raw("{\"a\":[1]}", new byte[8]), "tensor 'a': entry must be an object");
    }

    @Test
    void shapeMismatch() throws IOException {
        assertOpenFails(raw(ONE.replace("[2]", "[3]"), new byte[8]),
                "tensor 'a': shape [3] of F32 needs 12 bytes but data_offsets [0, 8] span 8");
        assertOpenFails(raw(ONE.replace("[2]", "[4611686018427387904,4]"), new byte[8]), "tensor 'a'", "too large");
    }

    @Test
    void overlappingOffsets() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        assertOpenFails(raw(h, new byte[12]), "tensor 'b': data_offsets [4, 12] overlap tensor 'a' [0, 8]");
    }

    @Test
    void offsetsNotCoveringTheBuffer() throws IOException {
        String gap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        assertOpenFails(raw(gap, new byte[12]), "bytes [4, 8) belong to no tensor", "before tensor 'b'");
        assertOpenFails(raw(ONE, new byte[10]), "bytes [8, 10) belong to no tensor (trailing bytes)");
        assertOpenFails(raw(ONE.replace("[0,8]", "[2,10]"), new byte[10]), "bytes [0, 2) belong to no tensor");
    }

    @Test
    void emptyFileWithOnlyMetadataIsValid() throws IOException {
        Path p = dir.resolve("empty.safetensors");
        SafetensorsWriter.write(p, List.of());
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertThat(f.names()).isEmpty();
            assertThat(f.metadata()).containsEntry("format", "pt");
        }
    }
}
