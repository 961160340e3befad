package wanka.curate.steps;

import wanka.curate.pipeline.Document;
import wanka.curate.pipeline.Step;
import wanka.curate.pipeline.StepContext;
import wanka.model.ModelIO;
import wanka.model.TeleChat2;
import wanka.tensor.CpuDevice;
import wanka.tensor.Tensor;
import wanka.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Scores each document's perplexity under a wanka/TeleChat2 model (exp of the mean next-token loss over
 * windows of at most {@code window} tokens, no gradients, weights memory-mapped) and drops documents outside
 * [{@code min}, {@code max}] with reasons {@code perplexity_high} / {@code perplexity_low}; kept documents get
 * {@code metadata.perplexity}. A common use is a small reference model trained on clean text (CCNet-style).
 */
public final class PerplexityFilter implements Step {
    private final TeleChat2 model;
    private final Tokenizer tokenizer;
    private final CpuDevice device;
    private final double min, max;
    private final int window;
    private final int maxTokens;

    public PerplexityFilter(Path modelDir, Tokenizer tokenizer, double min, double max, int window, int maxTokens) throws IOException {
        this.device = CpuDevice.withThreads(1); // pipeline tasks already run in parallel
        this.model = ModelIO.loadForInference(modelDir, device);
        this.tokenizer = tokenizer;
        if (tokenizer.vocabSize() > model.config().vocabSize()) {
            throw new IllegalArgumentException("step 'perplexity': tokenizer has " + tokenizer.vocabSize() + " tokens, the model at " + modelDir
                    + " only " + model.config().vocabSize());
        }
        this.min = min;
        this.max = max;
        this.window = window > 1 ? window : model.config().trainingSeqlen();
        this.maxTokens = maxTokens;
    }

    @Override
    public String name() {
        return "perplexity";
    }

    /** Perplexity of a text, or NaN when it has fewer than two tokens. */
    public double perplexity(String text) {
        int[] ids = tokenizer.encode(text);
        if (ids.length > maxTokens) ids = Arrays.copyOf(ids, maxTokens);
        if (ids.length < 2) return Double.NaN;
        double nll = 0;
        long count = 0;
        try (var ignored = device.noGrad()) {
            for (int start = 0; start + 1 < ids.length; start += window) {
                int n = Math.min(window, ids.length - 1 - start);
                int[] in = Arrays.copyOfRange(ids, start, start + n), tg = Arrays.copyOfRange(ids, start + 1, start + 1 + n);
                try (var scope = device.openScope()) {
                    Tensor loss = model.loss(in, tg, 1, n);
                    nll += (double) loss.item() * n;
                }
                count += n;
            }
        }
        return Math.exp(nll / count);
    }

    @Override
    public Document apply(Document doc, StepContext ctx) {
        double ppl = perplexity(doc.text());
        if (Double.isNaN(ppl)) {
            ctx.drop("perplexity_too_short");
            return null;
        }
        if (ppl > max) {
            ctx.drop("perplexity_high");
            return null;
        }
        if (ppl < min) {
            ctx.drop("perplexity_low");
            return null;
        }
        return doc.with("perplexity", String.format(Locale.ROOT, "%.3f", ppl));
    }

    @Override
    public void close() {
        device.close();
    }
}
