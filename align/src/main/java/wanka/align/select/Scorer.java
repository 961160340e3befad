package wanka.align.select;

import java.util.Arrays;

/**
 * A per-sample data-selection score computed from {@link AnswerStats} (algorithms.md §3). For every scorer a higher
 * value ranks first.
 * <ul>
 *   <li>{@link Ppl}: {@code PPL(A|Q) = exp(s(A|Q))}, the answer's perplexity given the instruction (higher: harder).</li>
 *   <li>{@link Ifd}: Cherry's instruction-following difficulty (Li et al., NAACL 2024), the ratio of mean losses
 *       {@code IFD = s(A|Q) / s(A)}; below 1 the instruction helps predict the answer, and the closer to 1, the less
 *       it helps (a hard instruction); Cherry drops IFD ≥ 1 and keeps the highest of the rest.</li>
 *   <li>{@link IfdPpl}: Superfiltering's variant, the ratio of perplexities
 *       {@code IFD_ppl = PPL(A|Q) / PPL(A) = exp(s(A|Q) − s(A))}. It is a monotone function of the difference of the
 *       losses, not of their ratio, so the two rank samples differently: s(A|Q)=1.2, s(A)=2.0 gives IFD 0.600 and
 *       IFD_ppl e^−0.8 = 0.449, while s(A|Q)=0.6, s(A)=1.0 gives the same IFD 0.600 but IFD_ppl e^−0.4 = 0.670. Both
 *       are 1 exactly when the instruction does not help, so the "drop ≥ 1" rule is the same.</li>
 *   <li>{@link Learnability}: LoBaSS (Zhou et al. 2023), the loss drop from the base model to a fine-tuned one,
 *       {@code s_base(A|Q) − s_ft(A|Q)}; with {@code normalised}, divided by {@code s_base(A|Q)}.</li>
 *   <li>{@link Length}: answer tokens N.</li>
 * </ul>
 */
public sealed interface Scorer {

    double value(AnswerStats s);

    /** The name written in score files and accepted by {@link #parse}. */
    String name();

    static Scorer parse(String s) {
        return switch (s) {
            case "ppl" -> new Ppl();
            case "ifd" -> new Ifd();
            case "ifd-ppl" -> new IfdPpl();
            case "learnability" -> new Learnability(false);
            case "learnability-norm" -> new Learnability(true);
            case "length" -> new Length();
            default -> throw new IllegalArgumentException("unknown scorer '" + s + "' (use " + String.join(", ", NAMES) + ")");
        };
    }

    java.util.List<String> NAMES = Arrays.asList("ifd", "ifd-ppl", "ppl", "learnability", "learnability-norm", "length");

    record Ppl() implements Scorer {
        public double value(AnswerStats s) {
            return Math.exp(s.conditioned());
        }

        public String name() {
            return "ppl";
        }
    }

    record Ifd() implements Scorer {
        public double value(AnswerStats s) {
            return s.conditioned() / s.direct();
        }

        public String name() {
            return "ifd";
        }
    }

    record IfdPpl() implements Scorer {
        public double value(AnswerStats s) {
            return Math.exp(s.conditioned() - s.direct());
        }

        public String name() {
            return "ifd-ppl";
        }
    }

    record Learnability(boolean normalised) implements Scorer {
        public double value(AnswerStats s) {
            if (Double.isNaN(s.finetuned())) throw new IllegalStateException("learnability needs the scores of a fine-tuned model (--finetuned DIR)");
            double drop = s.conditioned() - s.finetuned();
            return normalised ? drop / s.conditioned() : drop;
        }

        public String name() {
            return normalised ? "learnability-norm" : "learnability";
        }
    }

    record Length() implements Scorer {
        public double value(AnswerStats s) {
            return s.answerTokens();
        }

        public String name() {
            return "length";
        }
    }
}
