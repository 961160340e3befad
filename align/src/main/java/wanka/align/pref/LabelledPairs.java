package wanka.align.pref;

import java.util.ArrayList;
import java.util.List;

/**
 * Preference pairs from responses graded high / mid / low (TeleChat2's reward data, algorithms.md §4.1): every pair of
 * present grades in order, (high > mid), (high > low), (mid > low). The margin follows Llama 2's graded margins:
 * {@code smallMargin} for adjacent grades, {@code largeMargin} for high > low (both 0: plain Bradley–Terry).
 */
public record LabelledPairs(double smallMargin, double largeMargin) {

    /** The pairs of one prompt; a null response means that grade is absent. */
    public List<PreferencePair> pairs(String prompt, String high, String mid, String low) {
        List<PreferencePair> out = new ArrayList<>();
        if (high != null && mid != null) out.add(new PreferencePair(prompt, high, mid, smallMargin, Double.NaN));
        if (high != null && low != null) out.add(new PreferencePair(prompt, high, low, largeMargin, Double.NaN));
        if (mid != null && low != null) out.add(new PreferencePair(prompt, mid, low, smallMargin, Double.NaN));
        return out;
    }
}
