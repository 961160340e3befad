package wanka.align.sft;

import wanka.model.TeleChat2;

import java.util.List;

/**
 * The masked SFT loss of a model over a whole sample set, without a graph: padded rows of {@code batch} samples, each
 * batch's mean weighted by its trained tokens, so the result is the per-token mean over every assistant token,
 * {@code L = −(1/Σ|A_s|) Σ_s Σ_{t∈A_s} log p(x_t | x_<t)}; {@code exp(L)} is the answer perplexity.
 */
public final class SftEval {
    private SftEval() {
    }

    public static double loss(TeleChat2 model, List<SftSample> samples, int batch, int padId) {
        if (samples.isEmpty()) throw new IllegalArgumentException("no samples to evaluate");
        double sum = 0;
        long tokens = 0;
        try (var ignored = model.device().noGrad()) {
            for (int i = 0; i < samples.size(); i += batch) {
                List<SftSample> part = samples.subList(i, Math.min(samples.size(), i + batch));
                int seq = part.stream().mapToInt(SftSample::length).max().orElseThrow();
                SftBatch b = SftBatches.rows(part, seq, padId);
                int t = b.trainedTokens();
                if (t == 0) continue;
                sum += (double) SftLoss.of(model, b).item() * t;
                tokens += t;
            }
        }
        return sum / tokens;
    }
}
