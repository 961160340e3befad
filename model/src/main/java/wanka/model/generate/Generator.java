package wanka.model.generate;

import wanka.model.TeleChat2;
import wanka.model.layers.LayerCache;

import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/** Autoregressive generation with a KV cache: prefill the prompt once, then one token per step. */
public final class Generator {
    private final TeleChat2 model;

    public Generator(TeleChat2 model) {
        this.model = model;
    }

    /** Result: the new ids and why generation stopped. */
    public record Result(int[] tokens, String stopReason, double prefillSeconds, double decodeTokensPerSecond) {
    }

    /**
     * Generates up to {@code config.maxNewTokens()} tokens after {@code prompt}; each new token is handed to
     * {@code onToken} as soon as it is chosen (streaming). Stops at a stop token (included in the result).
     */
    public Result generate(int[] prompt, GenerationConfig config, IntConsumer onToken) {
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt is empty: give at least one token");
        int vocab = model.config().vocabSize();
        for (int i = 0; i < prompt.length; i++) {
            if (prompt[i] < 0 || prompt[i] >= vocab) throw new IllegalArgumentException("prompt token " + prompt[i] + " at position " + i + " is outside the vocabulary of " + vocab);
        }
        int capacity = prompt.length + config.maxNewTokens();
        List<LayerCache> cache = model.newCache(capacity);
        Sampler sampler = new Sampler(config);
        int[] context = Arrays.copyOf(prompt, capacity);
        int len = prompt.length;
        long t0 = System.nanoTime();
        float[] logits = model.step(prompt, cache);
        double prefill = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        String reason = "length";
        int produced = 0;
        while (produced < config.maxNewTokens()) {
            requireFinite(logits, len);
            int next = sampler.next(logits, context, len);
            context[len++] = next;
            produced++;
            onToken.accept(next);
            if (config.stopTokens().contains(next)) {
                reason = "stop";
                break;
            }
            if (produced == config.maxNewTokens()) break;
            logits = model.step(new int[]{next}, cache);
        }
        double decode = (System.nanoTime() - t1) / 1e9;
        return new Result(Arrays.copyOfRange(context, prompt.length, len), reason, prefill, produced / Math.max(decode, 1e-9));
    }

    /** Sampling from NaN or infinite logits would pick an arbitrary id (argmax of NaNs is 0): refuse instead. */
    private static void requireFinite(float[] logits, int position) {
        for (int id = 0; id < logits.length; id++) {
            if (!Float.isFinite(logits[id])) {
                throw new IllegalStateException("the model computed a non-finite logit (" + logits[id] + " for token " + id + ") at position " + position
                        + ": its weights or activations overflow, so there is nothing meaningful to sample");
            }
        }
    }
}
