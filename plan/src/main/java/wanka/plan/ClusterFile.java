package wanka.plan;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A cluster preset as a JSON file ({@code wanka plan calibrate} writes one; {@code --cluster FILE} reads it):
 * {@code {"format": "wanka-cluster/1", "cluster": {name, accelerator {name, peak16, peak32, hbmBytes, usableBytes,
 * hbmBandwidth}, devicesPerNode, nodes, intra {bandwidth, latency}, inter {…}, efficiency {matmul, attention, memory,
 * kernelOverhead, intraLink, interLink}, calibratedOn}}}, in bytes, seconds and FLOP/s.
 *
 * @param format  {@link #FORMAT}
 * @param cluster the cluster
 */
public record ClusterFile(String format, Cluster cluster) {
    /** The format tag of this version. */
    public static final String FORMAT = "wanka-cluster/1";

    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    public ClusterFile {
        if (!FORMAT.equals(format)) throw new IllegalArgumentException("not a " + FORMAT + " cluster file (format: " + format + ")");
        if (cluster == null) throw new IllegalArgumentException("the cluster file has no cluster");
    }

    /** Writes {@code c} to {@code file}. */
    public static void write(Cluster c, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Files.writeString(file, JSON.writeValueAsString(new ClusterFile(FORMAT, c)) + "\n");
    }

    /** Reads a cluster file; a problem is one message naming the file. */
    public static Cluster read(Path file) {
        try {
            return JSON.readValue(file.toFile(), ClusterFile.class).cluster();
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            throw new IllegalArgumentException(file + " is not a cluster file: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the cluster file " + file, e);
        }
    }
}
