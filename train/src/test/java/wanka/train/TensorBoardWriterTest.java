package wanka.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;

/** Reads the event file back by the TFRecord and tensorflow.Event specifications. */
class TensorBoardWriterTest {

    static int masked(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        int crc = (int) c.getValue();
        return Integer.rotateRight(crc, 15) + 0xa282ead8;
    }

    @Test
    void crc32cIsTheCastagnoliPolynomial() {
        // RFC 3720 test vector: 32 bytes of zeros.
        CRC32C c = new CRC32C();
        c.update(new byte[32]);
        assertThat((int) c.getValue()).isEqualTo(0x8a9136aa);
    }

    @Test
    void recordsAreFramedAndEventsCarryTheScalars(@TempDir Path dir) throws IOException {
        Path file;
        try (TensorBoardWriter w = new TensorBoardWriter(dir)) {
            Map<String, Double> v = new LinkedHashMap<>();
            v.put("train/loss", 2.5);
            v.put("train/lr", 1e-3);
            w.scalars(7, v);
            file = w.file();
        }
        assertThat(file.getFileName().toString()).startsWith("events.out.tfevents.");
        byte[] all = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> records = new ArrayList<>();
        while (b.remaining() > 0) {
            int start = b.position();
            long len = b.getLong();
            assertThat(b.getInt()).isEqualTo(masked(all, start, 8));
            byte[] data = new byte[(int) len];
            b.get(data);
            assertThat(b.getInt()).isEqualTo(masked(data, 0, data.length));
            records.add(data);
        }
        assertThat(records).hasSize(2);
        assertThat(new String(records.get(0), StandardCharsets.UTF_8)).contains("brain.Event:2");
        // Event: field 2 (varint step) = 7; field 5 (summary) holds values with tag (1) and simple_value (2, fixed32).
        byte[] ev = records.get(1);
        int i = 0;
        long step = -1;
        Map<String, Float> scalars = new LinkedHashMap<>();
        while (i < ev.length) {
            int tag = ev[i++];
            int field = tag >>> 3, wire = tag & 7;
            if (wire == 1) i += 8;
            else if (wire == 0) step = ev[i++];
            else if (wire == 2 && field == 5) {
                int len = ev[i++];
                int end = i + len;
                while (i < end) {
                    i++; // value tag (field 1, wire 2)
                    int vlen = ev[i++];
                    int vend = i + vlen;
                    String name = null;
                    float val = Float.NaN;
                    while (i < vend) {
                        int t = ev[i++];
                        if (t == (1 << 3 | 2)) {
                            int sl = ev[i++];
                            name = new String(ev, i, sl, StandardCharsets.UTF_8);
                            i += sl;
                        } else if (t == (2 << 3 | 5)) {
                            val = ByteBuffer.wrap(ev, i, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat();
                            i += 4;
                        }
                    }
                    scalars.put(name, val);
                }
            }
        }
        assertThat(step).isEqualTo(7);
        assertThat(scalars).containsEntry("train/loss", 2.5f).containsEntry("train/lr", 1e-3f);
    }
}
