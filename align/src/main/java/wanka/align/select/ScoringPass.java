package wanka.align.select;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import wanka.align.io.ResumableJsonl;
import wanka.align.ops.AlignOps;
import wanka.align.sft.SftBatch;
import wanka.align.sft.SftBatches;
import wanka.align.sft.SftSample;
import wanka.model.TeleChat2;
import wanka.tensor.Tensor;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * The batched, resumable scoring pass of data selection. For each batch of samples it runs the scoring model over the
 * whole conversations (giving s(A|Q) and a mean-pooled embedding: the mean of the final hidden states, after
 * {@code ln_f}, over the conversation's tokens) and over the answers alone (s(A)), and the fine-tuned model, when
 * given, over the conversations (s_ft(A|Q)). Each sample's line goes to {@code scores.jsonl} (index, source,
 * category, the {@link AnswerStats} and every {@link Scorer} that applies) and its embedding, float32 little-endian,
 * to {@code embeddings.f32} at offset {@code index · dim · 4}; both are flushed per batch, and samples already in
 * {@code scores.jsonl} are not scored again.
 */
public final class ScoringPass {
    public static final String SCORES = "scores.jsonl";
    public static final String EMBEDDINGS = "embeddings.f32";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ScoringPass() {
    }

    /** How many samples were scored now and how many were already there. */
    public record Summary(int scored, int alreadyDone, double seconds) {
    }

    public static Summary run(List<SelectionSample> samples, TeleChat2 model, TeleChat2 finetuned, Path dir, int batch, int padId, LongConsumer progress)
            throws IOException {
        Files.createDirectories(dir);
        Path scores = dir.resolve(SCORES);
        Map<Long, JsonNode> done = ResumableJsonl.done(scores);
        List<SelectionSample> todo = samples.stream().filter(s -> !done.containsKey(s.index())).toList();
        int dim = model.config().hiddenSize();
        long t0 = System.nanoTime();
        try (BufferedWriter w = Files.newBufferedWriter(scores, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
             FileChannel emb = FileChannel.open(dir.resolve(EMBEDDINGS), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (int i = 0; i < todo.size(); i += batch) {
                List<SelectionSample> part = todo.subList(i, Math.min(todo.size(), i + batch));
                List<SftSample> cond = part.stream().map(SelectionSample::conditioned).toList();
                float[][] vectors = new float[part.size()][];
                double[] sCond = meanLosses(model, cond, padId, vectors);
                double[] sDirect = meanLosses(model, part.stream().map(SelectionSample::direct).toList(), padId, null);
                double[] sFt = finetuned != null ? meanLosses(finetuned, cond, padId, null) : null;
                for (int k = 0; k < part.size(); k++) {
                    SelectionSample s = part.get(k);
                    AnswerStats st = new AnswerStats(sCond[k], sDirect[k], sFt != null ? sFt[k] : Double.NaN, s.conditioned().trainedTokens());
                    ByteBuffer buf = ByteBuffer.allocate(dim * 4).order(ByteOrder.LITTLE_ENDIAN);
                    for (float v : vectors[k]) buf.putFloat(v);
                    buf.flip();
                    emb.write(buf, s.index() * dim * 4);
                    w.write(JSON.writeValueAsString(line(s, st)));
                    w.newLine();
                }
                emb.force(false);
                w.flush();
                progress.accept(i + part.size());
            }
        }
        return new Summary(todo.size(), samples.size() - todo.size(), (System.nanoTime() - t0) / 1e9);
    }

    static ObjectNode line(SelectionSample s, AnswerStats st) {
        ObjectNode n = JSON.createObjectNode();
        n.put("index", s.index());
        n.put("source", s.file() + ":" + s.line());
        n.put("category", s.category());
        n.put("s_cond", st.conditioned());
        n.put("s_direct", st.direct());
        if (!Double.isNaN(st.finetuned())) n.put("s_ft", st.finetuned());
        n.put("answer_tokens", st.answerTokens());
        for (String name : Scorer.NAMES) {
            Scorer sc = Scorer.parse(name);
            if (sc instanceof Scorer.Learnability && Double.isNaN(st.finetuned())) continue;
            n.put(name, sc.value(st));
        }
        return n;
    }

    /** The stats of every sample in {@code scores.jsonl}, by index. */
    public static Map<Long, AnswerStats> read(Path dir) throws IOException {
        Map<Long, AnswerStats> out = new LinkedHashMap<>();
        for (var e : ResumableJsonl.done(dir.resolve(SCORES)).entrySet()) {
            JsonNode n = e.getValue();
            out.put(e.getKey(), new AnswerStats(n.get("s_cond").asDouble(), n.get("s_direct").asDouble(), n.has("s_ft") ? n.get("s_ft").asDouble() : Double.NaN,
                    n.get("answer_tokens").asInt()));
        }
        return out;
    }

    /** The embeddings of samples {@code 0 … count−1}. */
    public static double[][] embeddings(Path dir, int count, int dim) throws IOException {
        ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(dir.resolve(EMBEDDINGS))).order(ByteOrder.LITTLE_ENDIAN);
        if (all.capacity() < (long) count * dim * 4) throw new IOException(dir.resolve(EMBEDDINGS) + ": holds " + all.capacity() / (4 * dim) + " embeddings, expected " + count);
        double[][] out = new double[count][dim];
        for (int i = 0; i < count; i++) for (int j = 0; j < dim; j++) out[i][j] = all.getFloat((i * dim + j) * 4);
        return out;
    }

    /**
     * Mean per-token loss of each sample's trained tokens, {@code −(1/N) Σ log p}, in one padded batch; with
     * {@code embeddings} also the mean final hidden state over each sample's tokens.
     */
    public static double[] meanLosses(TeleChat2 model, List<SftSample> samples, int padId, float[][] embeddings) {
        int n = samples.size(), seq = samples.stream().mapToInt(SftSample::length).max().orElseThrow();
        SftBatch b = SftBatches.rows(samples, seq, padId);
        double[] out = new double[n];
        try (var ignored = model.device().noGrad(); var scope = model.device().openScope()) {
            Tensor h = model.hidden(b.inputs(), n, seq);
            float[] lp = AlignOps.sequenceLogProbs(h, model.lmHead(), b.targets(), seq).toArray();
            for (int r = 0; r < n; r++) {
                int tokens = 0;
                for (int t = 0; t < seq; t++) if (b.targets()[r * seq + t] != -100) tokens++;
                out[r] = -lp[r] / tokens;
            }
            if (embeddings != null) {
                int d = h.shape().lastDim();
                float[] hd = h.data();
                int off = h.offset();
                for (int r = 0; r < n; r++) {
                    int len = samples.get(r).length();
                    float[] e = new float[d];
                    for (int t = 0; t < len; t++) for (int j = 0; j < d; j++) e[j] += hd[off + (r * seq + t) * d + j];
                    for (int j = 0; j < d; j++) e[j] /= len;
                    embeddings[r] = e;
                }
            }
        }
        return out;
    }
}
