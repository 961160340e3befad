package wanka.model.generate;

import java.util.Set;

/**
 * How to pick tokens. {@code temperature == 0} means greedy. Defaults follow TeleChat2-115B's
 * generation_config (top-k 5, top-p 0.85, repetition penalty 1.03) except sampling is off by default.
 */
public record GenerationConfig(int maxNewTokens, double temperature, int topK, double topP, double repetitionPenalty,
                               Set<Integer> stopTokens, long seed) {
    public GenerationConfig {
        if (maxNewTokens < 0) throw new IllegalArgumentException("max new tokens must be >= 0, got " + maxNewTokens);
        if (temperature < 0) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("top-k must be >= 0 (0 = off), got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        if (!(repetitionPenalty > 0)) throw new IllegalArgumentException("repetition penalty must be > 0, got " + repetitionPenalty);
        stopTokens = Set.copyOf(stopTokens);
    }

    public static GenerationConfig greedy(int maxNewTokens, Set<Integer> stops) {
        return new GenerationConfig(maxNewTokens, 0, 0, 1, 1, stops, 0);
    }
}
