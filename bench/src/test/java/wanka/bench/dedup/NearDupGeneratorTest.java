package wanka.bench.dedup;

import org.junit.jupiter.api.Test;
import wanka.bench.dedup.NearDupGenerator.GenDoc;
import wanka.bench.dedup.NearDupGenerator.Kind;
import wanka.curate.dedup.TextNorm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NearDupGeneratorTest {

    static List<String> texts(int n) {
        Random r = new Random(1);
        List<String> out = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            StringBuilder b = new StringBuilder();
            for (int s = 0; s < 8; s++) {
                b.append("Sentence ").append(s).append(" of text ").append(t).append(" says \"");
                for (int w = 0; w < 9; w++) b.append(w == 0 ? "" : " ").append("word").append(r.nextInt(500));
                b.append("\" - and ends. ");
            }
            out.add(b.toString().strip());
        }
        return out;
    }

    static Map<Integer, String> originals(List<GenDoc> docs) {
        Map<Integer, String> m = new HashMap<>();
        for (GenDoc d : docs) if (d.kind() == Kind.ORIGINAL) m.put(d.cluster(), d.text());
        return m;
    }

    static List<GenDoc> variants(Kind k) {
        List<GenDoc> docs = NearDupGenerator.generate(texts(40), NearDupGenerator.Options.BENCH.withKinds(List.of(k)));
        assertThat(docs.stream().map(GenDoc::id).distinct().count()).isEqualTo(docs.size());
        return docs;
    }

    @Test
    void dropSentenceRemovesExactlyOneSentence() {
        List<GenDoc> docs = variants(Kind.DROP_SENTENCE);
        Map<Integer, String> orig = originals(docs);
        int seen = 0;
        for (GenDoc d : docs) {
            if (d.kind() != Kind.DROP_SENTENCE) continue;
            seen++;
            List<String> before = NearDupGenerator.sentences(orig.get(d.cluster())), after = NearDupGenerator.sentences(d.text());
            assertThat(after).hasSize(before.size() - 1);
            assertThat(before).containsAll(after);
        }
        assertThat(seen).isGreaterThan(5);
    }

    @Test
    void typosChangeAFewPercentOfTheLetters() {
        List<GenDoc> docs = variants(Kind.TYPOS);
        Map<Integer, String> orig = originals(docs);
        for (GenDoc d : docs) {
            if (d.kind() != Kind.TYPOS) continue;
            String o = orig.get(d.cluster());
            assertThat(d.text()).isNotEqualTo(o);
            long letters = o.codePoints().filter(Character::isLetterOrDigit).count();
            assertThat(Math.abs(d.text().length() - o.length())).isLessThan((int) (letters * 0.05) + 1); // only look-alikes like m -> rn grow the text
            long sameWords = 0;
            String[] a = o.split(" "), b = d.text().split(" ");
            for (int i = 0; i < Math.min(a.length, b.length); i++) if (a[i].equals(b[i])) sameWords++;
            assertThat((double) sameWords / a.length).isBetween(0.6, 0.99); // a few % of characters hit 5-30 % of the words
        }
        assertThat(NearDupGenerator.typos("Abc", 1.0, new Random(1))).doesNotContain("A", "b", "c").isNotBlank();
    }

    @Test
    void encodingChangesPunctuationAndSpacesNotWords() {
        List<GenDoc> docs = variants(Kind.ENCODING);
        Map<Integer, String> orig = originals(docs);
        for (GenDoc d : docs) {
            if (d.kind() != Kind.ENCODING) continue;
            String o = orig.get(d.cluster()), v = d.text();
            assertThat(v).doesNotContain(" - ").containsAnyOf("“", "&quot;").contains("\n");
            // After normalisation only the words an em dash joined, and HTML entities, differ
            String no = TextNorm.normalize(o), nv = TextNorm.normalize(v.replace("&quot;", "\"").replace("—", " - "));
            assertThat(nv).isEqualTo(no);
        }
        assertThat(NearDupGenerator.encoding("他说，“好的。” 然后走了", new Random(3))).contains("，").doesNotContain("“");
    }

    @Test
    void optionsAndDeterminism() {
        List<String> texts = texts(30);
        assertThat(NearDupGenerator.generate(texts, NearDupGenerator.Options.BENCH)).isEqualTo(NearDupGenerator.generate(texts, NearDupGenerator.Options.BENCH));
        assertThat(variants(Kind.BOILERPLATE).stream().filter(d -> d.kind() != Kind.ORIGINAL).map(GenDoc::kind).distinct()).containsExactly(Kind.BOILERPLATE);
        assertThatThrownBy(() -> NearDupGenerator.Options.BENCH.withKinds(List.of())).hasMessageContaining("kinds");
        assertThatThrownBy(() -> NearDupGenerator.Options.BENCH.withKinds(List.of(Kind.ORIGINAL))).hasMessageContaining("ORIGINAL");
    }
}
