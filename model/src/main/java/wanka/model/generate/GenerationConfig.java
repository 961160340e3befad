package wanka.model.generate;

import java.util.Set;

/**
 * How to pick tokens. {@code temperature == 0} means greedy. {@code vocabLimit > 0} restricts choices to ids
 * below it (a model's embedding table is often padded past its tokenizer's vocabulary; 0 = no limit).
 * Messages about bad values name the {@code generate}/{@code chat} options that set them.
 */
public record GenerationConfig(int maxNewTokens, double temperature, int topK, double topP, double repetitionPenalty,
                               Set<Integer> stopTokens, long seed, int vocabLimit) {
    public GenerationConfig {
        if (maxNewTokens < 1) throw new IllegalArgumentException("--max-new-tokens must be >= 1, got " + maxNewTokens);
        if (!(temperature >= 0 && temperature < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("--temperature must be a finite number >= 0 (0 = greedy), got " + temperature);
        }
        if (topK < 0) throw new IllegalArgumentException("--top-k must be >= 0 (0 = off), got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("--top-p must be in (0, 1], got " + topP);
        if (!(repetitionPenalty > 0 && repetitionPenalty < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("--repetition-penalty must be a finite number > 0 (1 = off), got " + repetitionPenalty);
        }
        if (vocabLimit < 0) throw new IllegalArgumentException("vocab limit must be >= 0, got " + vocabLimit);
        stopTokens = Set.copyOf(stopTokens);
    }

    public GenerationConfig(int maxNewTokens, double temperature, int topK, double topP, double repetitionPenalty, Set<Integer> stopTokens, long seed) {
        this(maxNewTokens, temperature, topK, topP, repetitionPenalty, stopTokens, seed, 0);
    }

    /** The same settings choosing only ids below {@code limit}. */
    public GenerationConfig withVocabLimit(int limit) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, repetitionPenalty, stopTokens, seed, limit);
    }

    /** The same settings with another sampling seed. */
    public GenerationConfig withSeed(long s) {
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, repetitionPenalty, stopTokens, s, vocabLimit);
    }

    public static GenerationConfig greedy(int maxNewTokens, Set<Integer> stops) {
        return new GenerationConfig(maxNewTokens, 0, 0, 1, 1, stops, 0);
    }
}
