package wanka.align.pref;

import wanka.align.ops.AlignOps;
import wanka.align.sft.BadSampleException;
import wanka.align.sft.SftDataset;
import wanka.align.sft.SftSample;
import wanka.tokenizer.ChatTemplate;
import wanka.tokenizer.ChatTemplate.Message;
import wanka.model.ModelIO;
import wanka.model.TeleChat2;
import wanka.model.io.ModelFormatException;
import wanka.model.io.NamedArray;
import wanka.model.io.SafetensorsFile;
import wanka.model.io.SafetensorsWriter;
import wanka.tensor.CpuDevice;
import wanka.tensor.Tensor;
import wanka.tensor.ops.Ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A TeleChat2 reward model: the decoder's final hidden state at a response's last token ({@code <_end>}) times a
 * scalar head, {@code r(x, y) = w · h_last} ({@code score.weight} [1, hidden], no bias, as HF's
 * sequence-classification heads). Saved as an HF model directory plus {@code reward_head.safetensors}.
 */
public record RewardModel(TeleChat2 model, Tensor score) {
    public static final String HEAD_FILE = "reward_head.safetensors";
    public static final String HEAD = "score.weight";

    /** A reward model on {@code model} with a fresh head ~ N(0, 1/hidden). */
    public static RewardModel create(TeleChat2 model, CpuDevice device, long seed) {
        int h = model.config().hiddenSize();
        Tensor w = Tensor.zeros(device, 1, h).named(HEAD);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < h; i++) w.data()[i] = (float) (r.nextGaussian() / Math.sqrt(h));
        return new RewardModel(model, w.requiresGrad(true));
    }

    /** Rewards of the rows of a pair batch, [2n]: chosen first, then rejected. */
    public Tensor rewards(PairBatch b) {
        Tensor h = model.hidden(b.ids(), 2 * b.pairs(), b.seq());
        return Ops.linear(AlignOps.rows(h, b.lastRows()), score, null);
    }

    /**
     * Rewards of whole conversations ending with an assistant turn (no graph), read at the last assistant token
     * ({@code <_end>}); all are run as one batch of rows padded with {@code padId} to the longest.
     */
    public double[] score(List<List<Message>> conversations, ChatTemplate template, int padId) throws BadSampleException {
        int n = conversations.size();
        List<SftSample> samples = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) samples.add(SftDataset.render(Path.of("scored"), i + 1, conversations.get(i), template, Integer.MAX_VALUE));
        int seq = samples.stream().mapToInt(SftSample::length).max().orElse(1);
        int[] ids = new int[n * seq], last = new int[n];
        java.util.Arrays.fill(ids, padId);
        for (int i = 0; i < n; i++) {
            SftSample s = samples.get(i);
            System.arraycopy(s.ids(), 0, ids, i * seq, s.length());
            int end = s.length() - 1;
            while (!s.lossMask()[end]) end--;
            last[i] = i * seq + end;
        }
        try (var ignored = model.device().noGrad()) {
            float[] r = Ops.linear(AlignOps.rows(model.hidden(ids, n, seq), last), score, null).toArray();
            double[] out = new double[n];
            for (int i = 0; i < n; i++) out[i] = r[i];
            return out;
        }
    }

    /** The Bradley–Terry loss of a pair batch (with the graph when parameters require grad). */
    public Tensor loss(PairBatch b, BradleyTerry bt) {
        return AlignOps.vectorLoss(rewards(b), bt.over(b.margins()));
    }

    /** Writes the HF model directory and the head into {@code dir}. */
    public void save(Path dir) throws IOException {
        ModelIO.save(model, dir);
        saveHead(dir);
    }

    /** Writes only the head, {@code reward_head.safetensors} (beside a LoRA adapter, whose base model lives elsewhere). */
    public void saveHead(Path dir) throws IOException {
        Files.createDirectories(dir);
        SafetensorsWriter.write(dir.resolve(HEAD_FILE), List.of(new NamedArray(HEAD, new long[]{1, score.numel()}, score.toArray())));
    }

    /** Loads a reward model directory; a directory without its head is an error naming it. */
    public static RewardModel load(Path dir, CpuDevice device) throws IOException {
        Path head = dir.resolve(HEAD_FILE);
        if (!Files.isRegularFile(head)) {
            throw new ModelFormatException(dir + ": no " + HEAD_FILE + ", so this is a language model, not a reward model (train one with 'wanka rm')");
        }
        TeleChat2 m = ModelIO.load(dir, device);
        try (SafetensorsFile f = SafetensorsFile.open(head)) {
            if (!f.names().contains(HEAD)) throw new ModelFormatException(head + ": no tensor '" + HEAD + "'");
            float[] w = f.readFloats(HEAD);
            if (w.length != m.config().hiddenSize()) throw new ModelFormatException(head + ": '" + HEAD + "' has " + w.length + " values, the model's hidden size is " + m.config().hiddenSize());
            return new RewardModel(m, Tensor.wrap(device, w, 1, w.length).named(HEAD).requiresGrad(true));
        }
    }
}
