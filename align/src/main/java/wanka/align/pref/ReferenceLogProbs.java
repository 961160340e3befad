package wanka.align.pref;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import wanka.io.AtomicFiles;
import wanka.model.TeleChat2;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * DPO's reference log-probabilities {@code log π_ref(y|x)} of every chosen and rejected response, per pair batch
 * (chosen first, then rejected), computed once per dataset and reference model and cached in a JSON file.
 *
 * <p>The cache is keyed by the reference model's {@link ModelChecksum} and a CRC-32C of the batches' token ids and
 * targets (which fixes the data, its order, the chat template, the tokenizer and the batch layout), so a cache is
 * reused only when it would give exactly the same values and is recomputed (and replaced) otherwise.
 *
 * @param model    the reference model's checksum
 * @param data     the batches' checksum
 * @param perBatch per batch, [ref_c (n), ref_r (n)]
 */
public record ReferenceLogProbs(String model, String data, List<double[]> perBatch) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public ReferenceLogProbs {
        perBatch = List.copyOf(perBatch);
    }

    /** Runs the reference model (no graph) over every batch. */
    public static ReferenceLogProbs compute(TeleChat2 reference, String modelChecksum, List<PairBatch> batches) {
        List<double[]> out = new ArrayList<>();
        for (PairBatch b : batches) out.add(PolicyLogProbs.reference(reference, b));
        return new ReferenceLogProbs(modelChecksum, checksum(batches), out);
    }

    /**
     * The cached values in {@code file} when their key matches, else computes them with the model loaded by
     * {@code load} and writes {@code file} (atomically). Says on {@code log} which happened.
     */
    public static ReferenceLogProbs cached(Path file, String modelChecksum, List<PairBatch> batches, ModelLoader load, Consumer<String> log) throws IOException {
        String data = checksum(batches);
        Optional<ReferenceLogProbs> hit = read(file).filter(r -> r.model.equals(modelChecksum) && r.data.equals(data) && r.perBatch.size() == batches.size());
        if (hit.isPresent()) {
            log.accept("reference log-probs: reused " + file + " (model " + modelChecksum + ", data " + data + ")");
            return hit.get();
        }
        if (Files.exists(file)) log.accept("reference log-probs: " + file + " is for another model or data; recomputing");
        ReferenceLogProbs r = compute(load.load(), modelChecksum, batches);
        r.write(file);
        log.accept("reference log-probs: computed for " + batches.size() + " batch(es), cached in " + file);
        return r;
    }

    /** Loads the reference model only when the cache misses. */
    @FunctionalInterface
    public interface ModelLoader {
        TeleChat2 load() throws IOException;
    }

    /** CRC-32C over each batch's shape, ids and targets. */
    public static String checksum(List<PairBatch> batches) {
        CRC32C crc = new CRC32C();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8);
        for (PairBatch p : batches) {
            update(crc, b, p.pairs());
            update(crc, b, p.seq());
            for (int v : p.ids()) update(crc, b, v);
            for (int v : p.targets()) update(crc, b, v);
        }
        return String.format("%08x", crc.getValue());
    }

    private static void update(CRC32C crc, java.nio.ByteBuffer b, int v) {
        b.clear();
        b.putInt(v);
        crc.update(b.array(), 0, 4);
    }

    /** The cache file's content, if it exists and parses. */
    public static Optional<ReferenceLogProbs> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) return Optional.empty();
        JsonNode n;
        try {
            n = JSON.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return Optional.empty(); // a damaged cache is recomputed
        }
        List<double[]> batches = new ArrayList<>();
        for (JsonNode b : n.path("batches")) {
            double[] v = new double[b.size()];
            for (int i = 0; i < v.length; i++) v[i] = b.get(i).asDouble();
            batches.add(v);
        }
        return Optional.of(new ReferenceLogProbs(n.path("reference_model_crc32c").asText(), n.path("data_crc32c").asText(), batches));
    }

    /** Writes the cache atomically. */
    public void write(Path file) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("reference_model_crc32c", model);
        n.put("data_crc32c", data);
        ArrayNode arr = n.putArray("batches");
        for (double[] b : perBatch) {
            ArrayNode a = arr.addArray();
            for (double v : b) a.add(v);
        }
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        AtomicFiles.write(file, JSON.writeValueAsBytes(n));
    }
}
