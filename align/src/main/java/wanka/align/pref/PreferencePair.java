package wanka.align.pref;

/**
 * A prompt with a preferred and a dispreferred response, and the reward-model margin between them (0: none).
 *
 * @param confidence how sure the pair's source is, e.g. σ(r_c − r_r) for West-of-N pairs (NaN: not given)
 */
public record PreferencePair(String prompt, String chosen, String rejected, double margin, double confidence) {
}
