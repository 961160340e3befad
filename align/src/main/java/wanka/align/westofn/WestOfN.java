package wanka.align.westofn;

import wanka.align.pref.RewardModel;
import wanka.align.sft.BadSampleException;
import wanka.model.TeleChat2;
import wanka.model.generate.GenerationConfig;
import wanka.model.generate.Generator;
import wanka.tokenizer.ChatTemplate;
import wanka.tokenizer.ChatTemplate.Message;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * West-of-N preference pairs (Pace et al. 2024, algorithms.md §4.2): for a prompt x, sample N responses from the
 * policy, score each with a pointwise reward model r, and keep
 * <pre>
 * y+ = argmax_i r(x, y_i),   y− = argmin_i r(x, y_i),   confidence = σ(r(x, y+) − r(x, y−))
 * </pre>
 * (the Bradley–Terry probability that y+ is preferred). TeleChat2 uses N = 10–15. The N samples of a prompt are drawn
 * together ({@link Generator#sample}: one prefill, KV caches copied, batched decoding), sample i of prompt k seeded
 * {@code seed + k·N + i}, so a prompt's pair does not depend on which prompts ran before it (a resumed run gives the
 * same pairs); {@code batched = false} draws them one at a time with the same seeds (for the throughput comparison).
 */
public final class WestOfN {
    private final TeleChat2 policy;
    private final RewardModel reward;
    private final ChatTemplate template;
    private final GenerationConfig sampling;
    private final int n;
    private final boolean batched;

    /** One scored sample. */
    public record Candidate(String text, double reward, int tokens) {
    }

    /**
     * What a prompt gave: the candidates, best and worst (null when all N rewards are equal: no preference).
     *
     * @param sampledTokens tokens generated for the prompt
     * @param sampleSeconds time spent sampling them
     */
    public record Outcome(Prompt prompt, List<Candidate> candidates, Candidate best, Candidate worst, long sampledTokens, double sampleSeconds) {
        public double gap() {
            return best == null ? 0 : best.reward() - worst.reward();
        }

        /** σ(r+ − r−). */
        public double confidence() {
            return 1 / (1 + Math.exp(-gap()));
        }
    }

    /**
     * @param sampling temperature, top-k/p, max new tokens and base seed (the template's {@code <_end>} is added as a stop)
     */
    public WestOfN(TeleChat2 policy, RewardModel reward, ChatTemplate template, GenerationConfig sampling, int n, boolean batched) {
        if (n < 2) throw new IllegalArgumentException("--n must be >= 2 (a best and a worst response), got " + n);
        if (sampling.temperature() == 0) throw new IllegalArgumentException("--temperature must be > 0: greedy decoding gives N identical responses");
        Set<Integer> stops = new java.util.HashSet<>(sampling.stopTokens());
        stops.add(template.endId());
        this.policy = policy;
        this.reward = reward;
        this.template = template;
        this.sampling = new GenerationConfig(sampling.maxNewTokens(), sampling.temperature(), sampling.topK(), sampling.topP(), sampling.repetitionPenalty(),
                stops, sampling.seed(), sampling.vocabLimit() > 0 ? sampling.vocabLimit() : template.tokenizer().vocabSize());
        this.n = n;
        this.batched = batched;
    }

    /** Samples, scores and picks for one prompt. */
    public Outcome run(Prompt prompt) throws BadSampleException {
        int[] ids = template.encode(prompt.messages(), true).ids();
        GenerationConfig gc = sampling.withSeed(sampling.seed() + prompt.index() * n);
        long t0 = System.nanoTime();
        List<Generator.Result> results;
        Generator g = new Generator(policy);
        if (batched) {
            results = g.sample(ids, gc, n);
        } else {
            results = new ArrayList<>();
            for (int i = 0; i < n; i++) results.add(g.generate(ids, gc.withSeed(gc.seed() + i), id -> { }));
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        List<String> texts = new ArrayList<>();
        List<List<Message>> convs = new ArrayList<>();
        long tokens = 0;
        for (Generator.Result r : results) {
            int[] t = r.tokens();
            tokens += t.length;
            int len = t.length > 0 && t[t.length - 1] == template.endId() ? t.length - 1 : t.length;
            String text = template.tokenizer().decode(Arrays.copyOf(t, len));
            texts.add(text);
            List<Message> c = new ArrayList<>(prompt.messages());
            c.add(new Message(ChatTemplate.Role.ASSISTANT, text));
            convs.add(c);
        }
        double[] r = reward.score(convs, template, padId());
        List<Candidate> cands = new ArrayList<>();
        int best = 0, worst = 0;
        for (int i = 0; i < n; i++) {
            cands.add(new Candidate(texts.get(i), r[i], results.get(i).tokens().length));
            if (r[i] > r[best]) best = i;
            if (r[i] < r[worst]) worst = i;
        }
        boolean tie = r[best] == r[worst];
        return new Outcome(prompt, cands, tie ? null : cands.get(best), tie ? null : cands.get(worst), tokens, secs);
    }

    private int padId() {
        return template.tokenizer().specials().pad().orElse(0);
    }
}
