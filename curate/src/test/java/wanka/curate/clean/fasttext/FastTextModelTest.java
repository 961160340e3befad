package wanka.curate.clean.fasttext;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Differential tests against the fastText C++ command ({@code fasttext}, Debian package {@code fasttext}): models
 * of every output layer, dense and quantized (pruned dictionary, quantized norms and output), are trained by the
 * command on generated data, and our predictions must equal {@code fasttext predict-prob}'s labels and
 * probabilities. Skipped, saying so, when the command is not installed.
 */
class FastTextModelTest {
    @TempDir
    static Path dir;
    static Path train, test;

    @BeforeAll
    static void data() throws IOException {
        Random r = new Random(7);
        String[][] alphabets = {{"ka", "to", "mi", "ne", "ru", "so"}, {"sch", "ei", "en", "ck", "ung", "ab"},
                {"的", "是", "在", "我", "有", "这"}, {"ou", "ai", "eu", "qu", "oi", "é"}};
        StringBuilder tr = new StringBuilder(), te = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            int lang = r.nextInt(alphabets.length);
            StringBuilder line = new StringBuilder();
            int words = 2 + r.nextInt(12);
            for (int w = 0; w < words; w++) {
                // mostly the language's syllables, some noise from the others
                String[] a = alphabets[r.nextInt(10) < 8 ? lang : r.nextInt(alphabets.length)];
                int syl = 1 + r.nextInt(3);
                for (int s = 0; s < syl; s++) line.append(a[r.nextInt(a.length)]);
                line.append(r.nextInt(20) == 0 ? "\t" : " ");
            }
            String text = line.toString().strip();
            if (i < 2500) tr.append("__label__l").append(lang).append(' ').append(text).append('\n');
            else te.append(text).append('\n');
        }
        train = Files.writeString(dir.resolve("train.txt"), tr);
        test = Files.writeString(dir.resolve("test.txt"), te);
    }

    static boolean haveFastText() {
        try {
            Process p = new ProcessBuilder("fasttext").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("%s", String.join(" ", cmd)).isZero();
        return out;
    }

    /** Trains a model with the given extra arguments, returns its path. */
    static Path trainModel(String name, String... extra) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("fasttext", "supervised", "-input", train.toString(), "-output", dir.resolve(name).toString(),
                "-dim", "10", "-epoch", "3", "-minCount", "1", "-bucket", "5000", "-thread", "1", "-verbose", "0"));
        cmd.addAll(List.of(extra));
        run(cmd.toArray(String[]::new));
        return dir.resolve(name + ".bin");
    }

    /** Our predictions equal {@code fasttext predict-prob MODEL test.txt k} line by line. */
    static void assertSameAsCommand(Path model, int k) throws IOException, InterruptedException {
        FastTextModel m = FastTextModel.load(model);
        List<String> expected = run("fasttext", "predict-prob", model.toString(), test.toString(), String.valueOf(k)).lines().toList();
        List<String> lines = Files.readAllLines(test);
        assertThat(expected).hasSameSizeAs(lines);
        int all = m.labels().size();
        for (int i = 0; i < lines.size(); i++) {
            String[] f = expected.get(i).split(" ");
            List<FastTextModel.Prediction> ours = m.predict(lines.get(i), k, 0.0);
            java.util.Map<String, Double> every = new java.util.HashMap<>();
            for (FastTextModel.Prediction p : m.predict(lines.get(i), all, 0.0)) every.put(p.label(), p.probability());
            assertThat(ours).as("line %d: %s", i, lines.get(i)).hasSize(f.length / 2);
            for (int j = 0; j < ours.size(); j++) {
                double p = Double.parseDouble(f[2 * j + 1]);
                String label = f[2 * j].substring("__label__".length());
                assertThat(ours.get(j).probability()).as("line %d rank %d: %s", i, j, lines.get(i)).isCloseTo(p, within(2e-5 + 1e-5 * p));
                // a different label at this rank is only allowed when it ties with fastText's (table sigmoids tie often)
                if (!ours.get(j).label().equals(label))
                    assertThat(every.get(label)).as("line %d rank %d: our probability of fastText's label %s", i, j, label).isCloseTo(p, within(2e-5 + 1e-5 * p));
            }
        }
    }

    @Test
    void hierarchicalSoftmaxWithCharAndWordNgrams() throws Exception {
        Assumptions.assumeTrue(haveFastText(), "the fasttext command is not installed (Debian package fasttext); skipping the parity test");
        assertSameAsCommand(trainModel("hs", "-loss", "hs", "-minn", "2", "-maxn", "4", "-wordNgrams", "2"), 3);
    }

    @Test
    void softmaxWithoutCharNgrams() throws Exception {
        Assumptions.assumeTrue(haveFastText(), "the fasttext command is not installed (Debian package fasttext); skipping the parity test");
        assertSameAsCommand(trainModel("softmax", "-loss", "softmax", "-maxn", "0", "-wordNgrams", "3"), 4);
    }

    @Test
    void oneVsAll() throws Exception {
        Assumptions.assumeTrue(haveFastText(), "the fasttext command is not installed (Debian package fasttext); skipping the parity test");
        assertSameAsCommand(trainModel("ova", "-loss", "ova", "-minn", "1", "-maxn", "3"), 2);
    }

    @Test
    void quantizedWithPrunedDictionaryNormsAndOutput() throws Exception {
        Assumptions.assumeTrue(haveFastText(), "the fasttext command is not installed (Debian package fasttext); skipping the parity test");
        Path bin = trainModel("q", "-loss", "hs", "-minn", "2", "-maxn", "4", "-wordNgrams", "2");
        run("fasttext", "quantize", "-output", dir.resolve("q").toString(), "-input", train.toString(), "-qnorm", "-cutoff", "300", "-dsub", "3");
        Path ftz = dir.resolve("q.ftz");
        assertThat(ftz).exists();
        assertThat(bin).exists();
        assertSameAsCommand(ftz, 3);
        FastTextModel m = FastTextModel.load(ftz);
        assertThat(m.labels()).containsExactlyInAnyOrder("l0", "l1", "l2", "l3");
    }

    @Test
    void quantizedOutputLayer() throws Exception {
        Assumptions.assumeTrue(haveFastText(), "the fasttext command is not installed (Debian package fasttext); skipping the parity test");
        // quantizing the output needs at least 256 output rows: 300 labels, each with its own words
        Random r = new Random(3);
        StringBuilder tr = new StringBuilder(), te = new StringBuilder();
        for (int i = 0; i < 6000; i++) {
            int label = r.nextInt(300);
            String line = "w" + label + (char) ('a' + r.nextInt(3)) + " w" + r.nextInt(300) + "x w" + label + (char) ('a' + r.nextInt(3));
            if (i < 5700) tr.append("__label__c").append(label).append(' ').append(line).append('\n');
            else te.append(line).append('\n');
        }
        Path many = Files.writeString(dir.resolve("many.txt"), tr), saved = test;
        test = Files.writeString(dir.resolve("many-test.txt"), te);
        try {
            run("fasttext", "supervised", "-input", many.toString(), "-output", dir.resolve("many").toString(), "-dim", "8", "-epoch", "5",
                    "-minCount", "1", "-bucket", "2000", "-thread", "1", "-verbose", "0", "-loss", "softmax", "-minn", "2", "-maxn", "3");
            run("fasttext", "quantize", "-output", dir.resolve("many").toString(), "-input", many.toString(), "-qnorm", "-qout", "-cutoff", "400");
            assertSameAsCommand(dir.resolve("many.ftz"), 3);
        } finally {
            test = saved;
        }
    }

    @Test
    void lid176MatchesTheCommandWhenFetched() throws Exception {
        Assumptions.assumeTrue(haveFastText(), "the fasttext command is not installed (Debian package fasttext); skipping the parity test");
        Path lid = wanka.curate.clean.FastTextLanguageFilterTest.lid176();
        Assumptions.assumeTrue(Files.isRegularFile(lid), lid + " is absent (bin/wanka corpus fetch lid176); skipping the lid.176 parity test");
        Path lines = dir.resolve("multi.txt");
        Files.writeString(lines, String.join("\n", Multilingual.LINES) + "\n");
        Path saved = test;
        test = lines;
        try {
            assertSameAsCommand(lid, 2);
        } finally {
            test = saved;
        }
    }

    @Test
    void emptyTextPredictsFromTheEndOfLineTokenAlone() throws Exception {
        Assumptions.assumeTrue(haveFastText(), "the fasttext command is not installed (Debian package fasttext); skipping the parity test");
        FastTextModel m = FastTextModel.load(trainModel("e", "-loss", "softmax", "-minn", "2", "-maxn", "3"));
        // "</s>" is in the vocabulary of every trained model, so even blank text has one input row
        assertThat(m.predict("  \n ", 1, 0)).hasSize(1);
    }

    @Test
    void badFilesAreNamed() throws IOException {
        Path junk = Files.write(dir.resolve("junk.bin"), new byte[]{1, 2, 3, 4, 5, 6, 7, 8});
        assertThatThrownBy(() -> FastTextModel.load(junk)).hasMessageContaining("junk.bin").hasMessageContaining("magic number");
        Path missing = dir.resolve("nope.ftz");
        assertThatThrownBy(() -> FastTextModel.load(missing)).hasMessageContaining("nope.ftz");
    }

    @Test
    void truncatedModelIsRejectedWithTheField() throws Exception {
        Assumptions.assumeTrue(haveFastText(), "the fasttext command is not installed (Debian package fasttext); skipping the parity test");
        byte[] whole = Files.readAllBytes(trainModel("t", "-loss", "softmax"));
        Path cut = Files.write(dir.resolve("cut.bin"), java.util.Arrays.copyOf(whole, whole.length - 100));
        assertThatThrownBy(() -> FastTextModel.load(cut)).hasMessageContaining("cut.bin").hasMessageContaining("output matrix");
    }

    @Test
    void bucketRemainderByMultiplicationIsExact() {
        Random r = new Random(11);
        for (int d : new int[]{1, 2, 3, 1000, 2_000_000, 10_000_000, Integer.MAX_VALUE}) {
            long inv = Long.divideUnsigned(-1L, d) + 1;
            for (int h : new int[]{0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, d - 1, d})
                assertThat(FastTextDictionary.remainder(h, d, inv)).as("%d mod %d", h, d).isEqualTo(Integer.remainderUnsigned(h, d));
            for (int i = 0; i < 100_000; i++) {
                int h = r.nextInt();
                assertThat(FastTextDictionary.remainder(h, d, inv)).isEqualTo(Integer.remainderUnsigned(h, d));
            }
        }
    }
}
