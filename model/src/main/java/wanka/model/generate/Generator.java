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

    /**
     * Samples {@code n} continuations of one prompt together: the prompt is prefilled once, its KV cache copied per
     * sample, then all unfinished samples advance one token per step through {@link TeleChat2#stepRows} (the
     * projections over n rows at once). Sample i uses seed {@code config.seed() + i}, so it equals
     * {@code generate(prompt, config.withSeed(config.seed() + i), …)} run alone. Timings are for the whole batch.
     */
    public List<Result> sample(int[] prompt, GenerationConfig config, int n) {
        if (n < 1) throw new IllegalArgumentException("number of samples must be >= 1, got " + n);
        if (prompt.length == 0) throw new IllegalArgumentException("the prompt is empty: give at least one token");
        int vocab = model.config().vocabSize();
        for (int i = 0; i < prompt.length; i++) {
            if (prompt[i] < 0 || prompt[i] >= vocab) throw new IllegalArgumentException("prompt token " + prompt[i] + " at position " + i + " is outside the vocabulary of " + vocab);
        }
        int capacity = prompt.length + config.maxNewTokens();
        long t0 = System.nanoTime();
        List<LayerCache> shared = model.newCache(capacity);
        float[] first = model.step(prompt, shared);
        double prefill = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        List<List<LayerCache>> caches = new java.util.ArrayList<>();
        Sampler[] samplers = new Sampler[n];
        int[][] context = new int[n][];
        float[][] logits = new float[n][];
        String[] reason = new String[n];
        int[] lengths = new int[n];
        for (int i = 0; i < n; i++) {
            caches.add(shared.stream().map(c -> c.copy(capacity)).toList());
            samplers[i] = new Sampler(config.withSeed(config.seed() + i));
            context[i] = Arrays.copyOf(prompt, capacity);
            logits[i] = first.clone();
        }
        int len = prompt.length, produced = 0;
        List<Integer> active = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) active.add(i);
        long tokens = 0;
        while (!active.isEmpty()) {
            List<Integer> next = new java.util.ArrayList<>();
            for (int i : active) {
                requireFinite(logits[i], len);
                int id = samplers[i].next(logits[i], context[i], len);
                context[i][len] = id;
                tokens++;
                if (config.stopTokens().contains(id)) reason[i] = "stop";
                else if (produced + 1 == config.maxNewTokens()) reason[i] = "length";
                else next.add(i);
                if (reason[i] != null) lengths[i] = produced + 1;
            }
            len++;
            produced++;
            active = next;
            if (active.isEmpty()) break;
            int[] ids = new int[active.size()];
            List<List<LayerCache>> cs = new java.util.ArrayList<>();
            for (int k = 0; k < ids.length; k++) {
                ids[k] = context[active.get(k)][len - 1];
                cs.add(caches.get(active.get(k)));
            }
            float[][] out = model.stepRows(ids, cs);
            for (int k = 0; k < ids.length; k++) logits[active.get(k)] = out[k];
        }
        double decode = (System.nanoTime() - t1) / 1e9;
        List<Result> results = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            results.add(new Result(Arrays.copyOfRange(context[i], prompt.length, prompt.length + lengths[i]), reason[i], prefill, tokens / Math.max(decode, 1e-9)));
        }
        return results;
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
