package wanka.align.pref;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The identity of a model directory's weights: CRC-32C over the bytes of {@code config.json} and every
 * {@code *.safetensors} file, in name order, each preceded by its name. Two directories with the same checksum hold the
 * same model, whatever their paths; reading the files once costs far less than a forward pass over a dataset.
 */
public final class ModelChecksum {
    private ModelChecksum() {
    }

    public static String of(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> {
                String n = p.getFileName().toString();
                return n.equals("config.json") || n.endsWith(".safetensors");
            }).sorted().toList();
        }
        if (files.isEmpty()) throw new IOException(dir + ": no config.json or *.safetensors to identify the model by");
        CRC32C crc = new CRC32C();
        byte[] buf = new byte[1 << 20];
        for (Path f : files) {
            crc.update(f.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            try (InputStream in = Files.newInputStream(f)) {
                for (int n; (n = in.read(buf)) > 0; ) crc.update(buf, 0, n);
            }
        }
        return String.format("%08x", crc.getValue());
    }
}
