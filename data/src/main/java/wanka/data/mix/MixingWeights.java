package wanka.data.mix;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * How a {@link DomainMixture} weighs its domains. Implementations are immutable values: {@link #observe}
 * returns the next state, so a checkpoint holds exactly the weights the next step samples with. They are
 * serialised as JSON with a {@code kind} field ({@code static}, {@code odm}, {@code doremi}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
        @JsonSubTypes.Type(value = StaticWeights.class, name = "static"),
        @JsonSubTypes.Type(value = OdmWeights.class, name = "odm"),
        @JsonSubTypes.Type(value = DoReMiWeights.class, name = "doremi")})
public sealed interface MixingWeights permits StaticWeights, OdmWeights, DoReMiWeights {

    /** Number of domains. */
    int domains();

    /** The sampling distribution for the next step: non-negative, summing to 1. */
    double[] weights();

    /**
     * The state after one training step whose rows from domain {@code i} had mean loss {@code domainLoss[i]}
     * (natural log); {@code NaN} marks a domain that had no rows in the step.
     */
    MixingWeights observe(double[] domainLoss);

    /** Checks that {@code w} is a distribution over {@code k} domains. */
    static void requireDistribution(double[] w, int k) {
        if (w.length != k) throw new IllegalArgumentException(w.length + " weights for " + k + " domains");
        double sum = 0;
        for (double x : w) {
            if (!(x >= 0) || !Double.isFinite(x)) throw new IllegalArgumentException("weights must be finite and >= 0: " + java.util.Arrays.toString(w));
            sum += x;
        }
        if (Math.abs(sum - 1) > 1e-9) throw new IllegalArgumentException("weights must sum to 1, they sum to " + sum);
    }
}
