package wanka.bench.dedup;

import wanka.curate.dedup.TextNorm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Builds a corpus with known near-duplicates from real texts: every distinct text (after {@link TextNorm}) is an
 * original; a fraction of the originals with at least {@code minWords} tokens get one variant made by one of four
 * transformations (random token edits, sentence reordering, boilerplate header and footer, truncation). The result
 * is shuffled. Tokens are words, or characters for text with Han characters.
 */
public final class NearDupGenerator {

    /** How a document was made. */
    public enum Kind { ORIGINAL, EDIT, REORDER, BOILERPLATE, TRUNCATE }

    /** A generated document: its cluster is the index of the original it derives from. */
    public record GenDoc(String id, String text, int cluster, Kind kind) {
    }

    /**
     * Generator settings: the fraction of eligible originals that get a variant; the range of the token edit rate;
     * the range of the fraction truncation keeps; the minimum tokens of an original to get a variant; the seed.
     */
    public record Options(double dupFraction, double minEdit, double maxEdit, double minKeep, double maxKeep, int minWords, long seed) {
        /** The benchmark's settings: 20 % get a variant, edits 5–15 %, truncation keeps 80–95 %, originals of 50+ tokens. */
        public static final Options BENCH = new Options(0.2, 0.05, 0.15, 0.80, 0.95, 50, 7);
    }

    private static final String[] HEADERS = {
            "Home | News | Politics | Europe | Subscribe to our newsletter for daily updates",
            "Posted by the editorial team on our website. Share this article: Facebook Twitter Email Print",
            "Skip to main content. Menu. Search. Log in. Register. Latest news and analysis from Brussels",
    };
    private static final String[] FOOTERS = {
            "Copyright 2024 Example Media Group. All rights reserved. Privacy policy | Terms of use | Contact us",
            "Read more: related articles. Comments are closed. Follow us on social media for more stories like this one",
            "This article was first published on our partner site. Reproduction is prohibited without written permission",
    };

    private NearDupGenerator() {
    }

    public static List<GenDoc> generate(List<String> texts, Options o) {
        Random rnd = new Random(o.seed());
        List<String> originals = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String t : texts) if (!t.isBlank() && seen.add(TextNorm.normalize(t))) originals.add(t);
        List<GenDoc> docs = new ArrayList<>();
        Kind[] kinds = {Kind.EDIT, Kind.REORDER, Kind.BOILERPLATE, Kind.TRUNCATE};
        for (int c = 0; c < originals.size(); c++) {
            String t = originals.get(c);
            docs.add(new GenDoc("", t, c, Kind.ORIGINAL));
            List<String> tokens = tokens(t);
            if (tokens.size() < o.minWords() || rnd.nextDouble() >= o.dupFraction()) continue;
            Kind k = kinds[rnd.nextInt(kinds.length)];
            String v = switch (k) {
                case EDIT -> edit(tokens, between(rnd, o.minEdit(), o.maxEdit()), originals, rnd, hasHan(t));
                case REORDER -> reorder(t, rnd);
                case BOILERPLATE -> HEADERS[rnd.nextInt(HEADERS.length)] + "\n" + t + "\n" + FOOTERS[rnd.nextInt(FOOTERS.length)];
                case TRUNCATE -> join(tokens.subList(0, (int) Math.round(tokens.size() * between(rnd, o.minKeep(), o.maxKeep()))), hasHan(t));
                case ORIGINAL -> throw new IllegalStateException();
            };
            docs.add(new GenDoc("", v, c, k));
        }
        Collections.shuffle(docs, rnd);
        List<GenDoc> out = new ArrayList<>(docs.size());
        for (int i = 0; i < docs.size(); i++) {
            GenDoc d = docs.get(i);
            out.add(new GenDoc(String.format("d%07d", i), d.text(), d.cluster(), d.kind()));
        }
        return out;
    }

    /** Each token is, with probability {@code rate}, replaced by a token of another text, deleted, or followed by one. */
    static String edit(List<String> tokens, double rate, List<String> pool, Random rnd, boolean han) {
        List<String> out = new ArrayList<>(tokens.size() + 8);
        for (String tok : tokens) {
            if (rnd.nextDouble() >= rate) {
                out.add(tok);
                continue;
            }
            switch (rnd.nextInt(3)) {
                case 0 -> out.add(randomToken(pool, rnd));
                case 1 -> { }
                default -> {
                    out.add(tok);
                    out.add(randomToken(pool, rnd));
                }
            }
        }
        return join(out, han);
    }

    /** Shuffles the sentences (split after . ! ? 。 ！ ？). */
    static String reorder(String t, Random rnd) {
        List<String> sentences = new ArrayList<>(List.of(t.split("(?<=[.!?。！？])\\s*")));
        if (sentences.size() < 2) {
            List<String> tokens = tokens(t);
            int cut = tokens.size() / 2;
            return join(tokens.subList(cut, tokens.size()), hasHan(t)) + " " + join(tokens.subList(0, cut), hasHan(t));
        }
        List<String> before = List.copyOf(sentences);
        for (int i = 0; i < 20 && sentences.equals(before); i++) Collections.shuffle(sentences, rnd);
        return String.join(" ", sentences);
    }

    private static String randomToken(List<String> pool, Random rnd) {
        for (int tries = 0; ; tries++) {
            List<String> t = tokens(pool.get(rnd.nextInt(pool.size())));
            if (!t.isEmpty() || tries > 100) return t.isEmpty() ? "x" : t.get(rnd.nextInt(t.size()));
        }
    }

    static List<String> tokens(String t) {
        if (!hasHan(t)) return List.of(t.trim().split("\\s+"));
        List<String> out = new ArrayList<>();
        t.codePoints().filter(c -> !Character.isWhitespace(c)).forEach(c -> out.add(Character.toString(c)));
        return out;
    }

    private static String join(List<String> tokens, boolean han) {
        return String.join(han ? "" : " ", tokens);
    }

    static boolean hasHan(String t) {
        return t.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN);
    }

    private static double between(Random rnd, double lo, double hi) {
        return lo + (hi - lo) * rnd.nextDouble();
    }
}
