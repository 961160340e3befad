package wanka.curate.dedup;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class MinHasherTest {

    @Test
    void multiplyShiftMinimaEstimateJaccardWithoutBias() {
        // 600 shared of 1000 distinct shingles (Jaccard 0.6): over 40 seeds x 128 hashes the mean estimate is within
        // a few standard errors (0.007) of 0.6; a biased family would drift.
        List<String> shared = new ArrayList<>(), onlyA = new ArrayList<>(), onlyB = new ArrayList<>();
        for (int i = 0; i < 600; i++) shared.add("s" + i);
        for (int i = 0; i < 200; i++) {
            onlyA.add("a" + i);
            onlyB.add("b" + i);
        }
        String x = String.join(" ", shared) + " " + String.join(" ", onlyA), y = String.join(" ", onlyB) + " " + String.join(" ", shared);
        double sum = 0;
        for (int seed = 1; seed <= 40; seed++) {
            MinHasher h = new MinHasher(MinHasher.Params.words(1, 16, 8, seed));
            sum += MinHasher.similarity(h.signature(x), h.signature(y));
        }
        assertThat(sum / 40).isCloseTo(0.6, within(0.025));
        assertThat(MinHasher.hash(-1L, 0xFFFF_FFFFL, -1L)).isEqualTo(((-1L * 0xFFFF_FFFFL) - 1) >>> 32).isLessThan(1L << 32);
    }

    @Test
    void similarityEstimatesTheJaccardOfWordShingles() {
        Random r = new Random(3);
        List<String> words = new ArrayList<>();
        for (int i = 0; i < 400; i++) words.add("w" + r.nextInt(5000));
        List<String> edited = new ArrayList<>(words);
        for (int i = 0; i < edited.size(); i += 25) edited.set(i, "z" + i); // 4 % of the words changed
        MinHasher h = new MinHasher(MinHasher.Params.words(3, 32, 8, 1));
        double est = MinHasher.similarity(h.signature(String.join(" ", words)), h.signature(String.join(" ", edited)));
        assertThat(est).isCloseTo(jaccard(words, edited, 3), within(0.08));
        assertThat(h.signature(String.join(" ", words))).isEqualTo(h.signature(String.join("  ", words)));
    }

    @Test
    void chineseIsShingledByCharacters() {
        String a = "床前明月光疑是地上霜举头望明月低头思故乡白日依山尽黄河入海流欲穷千里目更上一层楼";
        String b = a.replace("黄河", "长江");
        String c = "春眠不觉晓处处闻啼鸟夜来风雨声花落知多少红豆生南国春来发几枝愿君多采撷此物最相思";
        MinHasher h = new MinHasher(MinHasher.Params.words(3, 16, 8, 1));
        double same = MinHasher.similarity(h.signature(a), h.signature(b)), other = MinHasher.similarity(h.signature(a), h.signature(c));
        List<String> ca = a.codePoints().mapToObj(Character::toString).toList(), cb = b.codePoints().mapToObj(Character::toString).toList();
        assertThat(same).isCloseTo(jaccard(ca, cb, 3), within(0.12)).isGreaterThan(0.6); // a whole-text single token would give 0
        assertThat(other).isLessThan(0.1);
        assertThat(MinHasher.isCharToken('中')).isTrue();
        assertThat(MinHasher.isCharToken('a')).isFalse();
    }

    @Test
    void shortAndEmptyTexts() {
        MinHasher h = new MinHasher(MinHasher.Params.DEFAULTS);
        assertThat(h.signature("")).isNull();
        assertThat(h.signature("   ")).isNull();
        assertThat(h.signature("two words")).hasSize(112).isEqualTo(h.signature("two words"));
        assertThat(MinHasher.similarity(h.signature("two words"), h.signature("two birds"))).isLessThan(0.2);
        assertThat(MinHasher.Params.DEFAULTS.threshold()).isCloseTo(0.72, within(0.005));
        assertThatThrownBy(() -> MinHasher.Params.words(0, 14, 8, 1)).hasMessageContaining("ngram");
    }

    @Test
    void bandKeysAgreeExactlyWhenTheirRowsDo() {
        MinHasher h = new MinHasher(MinHasher.Params.words(1, 4, 2, 1));
        long[] s1 = {1, 2, 3, 4, 5, 6, 7, 8}, s2 = {1, 2, 9, 4, 5, 6, 7, 9};
        long[] k1 = new long[2], k2 = new long[2];
        boolean[] same = new boolean[4];
        for (int b = 0; b < 4; b++) {
            h.bandKey(s1, b, k1);
            h.bandKey(s2, b, k2);
            same[b] = k1[0] == k2[0] && k1[1] == k2[1];
        }
        assertThat(same).containsExactly(true, false, true, false);
    }

    @Test
    void charShinglesEstimateTheExactCharShingleJaccard() {
        Random r = new Random(5);
        String latin = TextNorm.normalize(String.join(" ", europeanish(r, 250)));
        String typos = substitute(latin, 0.03, "abcdefghijklmnopqrstuvwxyz", r);
        String other = TextNorm.normalize(String.join(" ", europeanish(r, 250)));
        String zh = "床前明月光疑是地上霜举头望明月低头思故乡白日依山尽黄河入海流欲穷千里目更上一层楼春眠不觉晓处处闻啼鸟夜来风雨声花落知多少红豆生南国春来发几枝愿君多采撷此物最相思";
        String zhTypos = substitute(zh, 0.05, "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年", r);
        MinHasher h = new MinHasher(MinHasher.Params.chars(5, 2, 32, 8, 1));
        for (String[] pair : new String[][]{{latin, typos}, {latin, other}, {zh, zhTypos}, {zh + " and some latin words", zhTypos + " and some latin word"}}) {
            double exact = charJaccard(pair[0], pair[1], 5, 2);
            assertThat(MinHasher.similarity(h.signature(pair[0]), h.signature(pair[1]))).as("%.3f", exact).isCloseTo(exact, within(0.08));
        }
        assertThat(charJaccard(latin, typos, 5, 2)).isGreaterThan(0.6);
        assertThat(charJaccard(zh, zhTypos, 5, 2)).isGreaterThan(0.7);
        MinHasher words = new MinHasher(MinHasher.Params.words(5, 32, 8, 1));
        assertThat(MinHasher.similarity(words.signature(latin), words.signature(typos))).isLessThan(0.45); // what word shingles miss
    }

    @Test
    void charShinglesIgnoreSpacesNextToCjkButNotBetweenWords() {
        MinHasher h = new MinHasher(MinHasher.Params.chars(5, 2, 16, 4, 1));
        assertThat(h.signature("床前明月光 疑是地上霜\n举头望明月")).isEqualTo(h.signature("床前明月光疑是地上霜举头望明月"));
        assertThat(h.signature("  some  words\there ")).isEqualTo(h.signature("some words here"));
        assertThat(h.signature("some words here")).isNotEqualTo(h.signature("somewords here"));
        assertThat(h.signature("abc")).isNotNull().isEqualTo(h.signature("abc")).isNotEqualTo(h.signature("abd")); // shorter than n: one shingle
        assertThat(h.signature(" \n")).isNull();
        assertThatThrownBy(() -> MinHasher.Params.chars(5, 0, 20, 5, 1)).hasMessageContaining("'ngram_cjk'");
        assertThatThrownBy(() -> new MinHasher.Params(MinHasher.Shingle.WORDS, 5, 2, 20, 5, 1)).hasMessageContaining("'ngram_cjk'");
    }

    /** Words drawn from a small Zipf-like vocabulary, so unrelated texts share common words as real text does. */
    private static List<String> europeanish(Random r, int n) {
        String[] common = {"the", "of", "and", "to", "in", "that", "is", "for", "we", "this", "european", "commission", "parliament", "member", "states"};
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(r.nextInt(3) == 0 ? common[r.nextInt(common.length)] : "w" + Integer.toString(r.nextInt(4000), 36));
        return out;
    }

    private static String substitute(String t, double rate, String alphabet, Random r) {
        StringBuilder b = new StringBuilder();
        t.codePoints().forEach(c -> b.appendCodePoint(c != ' ' && r.nextDouble() < rate ? alphabet.codePointAt(alphabet.offsetByCodePoints(0, r.nextInt(alphabet.codePointCount(0, alphabet.length())))) : c));
        return b.toString();
    }

    /** The exact Jaccard similarity of the char shingle sets, by the rules in MinHasher's Javadoc. */
    static double charJaccard(String a, String b, int n, int cjk) {
        Set<String> x = charShingles(a, n, cjk), y = charShingles(b, n, cjk);
        Set<String> inter = new HashSet<>(x);
        inter.retainAll(y);
        Set<String> union = new HashSet<>(x);
        union.addAll(y);
        return (double) inter.size() / union.size();
    }

    private static Set<String> charShingles(String t, int n, int cjk) {
        int[] c = t.strip().replaceAll("\\s+", " ").codePoints().toArray();
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < c.length; i++) {
            boolean nextToCjk = (i > 0 && MinHasher.isCharToken(c[i - 1])) || (i + 1 < c.length && MinHasher.isCharToken(c[i + 1]));
            if (c[i] != ' ' || !nextToCjk) kept.add(c[i]);
        }
        Set<String> s = new HashSet<>();
        for (int i = 0; i < kept.size(); i++) {
            int g = MinHasher.isCharToken(kept.get(i)) ? cjk : n;
            if (i + g > kept.size()) continue;
            StringBuilder sb = new StringBuilder();
            for (int j = i; j < i + g; j++) sb.appendCodePoint(kept.get(j));
            s.add(sb.toString());
        }
        if (s.isEmpty()) s.add(t);
        return s;
    }

    static double jaccard(List<String> a, List<String> b, int n) {
        Set<String> x = shingles(a, n), y = shingles(b, n);
        Set<String> inter = new HashSet<>(x);
        inter.retainAll(y);
        Set<String> union = new HashSet<>(x);
        union.addAll(y);
        return (double) inter.size() / union.size();
    }

    private static Set<String> shingles(List<String> t, int n) {
        Set<String> s = new HashSet<>();
        for (int i = 0; i + n <= t.size(); i++) s.add(String.join(" ", t.subList(i, i + n)));
        return s;
    }
}
