package wanka.align.select;

/**
 * What the scoring pass measures of one sample (natural log, per token of the answer A, including its {@code <_end>}):
 * <pre>
 * s(A|Q)  = −(1/N) Σ_i log P(a_i | Q, a_&lt;i)     (conditioned answer loss, the scoring model)
 * s(A)    = −(1/N) Σ_i log P(a_i | a_&lt;i)        (direct answer loss: A alone as an assistant turn)
 * s_ft(A|Q)                                     (the conditioned loss under a fine-tuned model; NaN without one)
 * </pre>
 * from which every {@link Scorer} is computed.
 *
 * @param answerTokens N
 */
public record AnswerStats(double conditioned, double direct, double finetuned, int answerTokens) {
}
