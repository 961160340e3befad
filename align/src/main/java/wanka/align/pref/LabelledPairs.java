package wanka.align.pref;

import wanka.tokenizer.ChatTemplate.Message;
import wanka.tokenizer.ChatTemplate.Role;

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
        return pairs(List.of(new Message(Role.USER, prompt)), list(high), list(mid), list(low));
    }

    /** Every response of a higher grade against every one of a lower grade, in the order high>mid, high>low, mid>low. */
    public List<PreferencePair> pairs(List<Message> prompt, List<String> high, List<String> mid, List<String> low) {
        List<PreferencePair> out = new ArrayList<>();
        add(out, prompt, high, mid, smallMargin);
        add(out, prompt, high, low, largeMargin);
        add(out, prompt, mid, low, smallMargin);
        return out;
    }

    private static void add(List<PreferencePair> out, List<Message> prompt, List<String> better, List<String> worse, double margin) {
        for (String b : better) for (String w : worse) out.add(new PreferencePair(prompt, b, w, margin, Double.NaN));
    }

    private static List<String> list(String s) {
        return s == null ? List.of() : List.of(s);
    }
}
