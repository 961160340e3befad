package wanka.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.tokenizer.bytelevel.PreTokenizerPattern;
import wanka.tokenizer.hf.TokenizerJson;
import wanka.tokenizer.train.BpeTrainer;
import wanka.tokenizer.train.TrainerOptions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** (c) tokenizer.json we write for our trained models, loaded by HF tokenizers (Rust, via DJL's JNI jar), encodes identically. */
class HfTokenizerJsonParityTest {
    @TempDir
    static Path tmp;
    static List<String> train, test;

    @BeforeAll
    static void corpus() {
        List<String> en = TestCorpus.europarl(700), zh = TestCorpus.chinese();
        train = new ArrayList<>(en.subList(0, 400));
        train.addAll(zh);
        test = new ArrayList<>(TestCorpus.mixed(en.subList(400, 700), zh, 300, 5));
        test.add("");
        test.add("a <|endoftext|> b");
    }

    private static HuggingFaceTokenizer hf(Path json) {
        try {
            return HuggingFaceTokenizer.builder().optTokenizerPath(json).optAddSpecialTokens(false).build();
        } catch (Throwable e) { // UnsatisfiedLinkError or IO: the native library could not be loaded offline
            Assumptions.abort("DJL HF tokenizers native library unavailable: " + e);
            return null;
        }
    }

    private static void assertParity(Tokenizer ours, Path json) throws Exception {
        try (HuggingFaceTokenizer peer = hf(json)) {
            Tokenizer reread = Tokenizers.load(json);
            for (String line : test) {
                int[] expected = Arrays.stream(peer.encode(line).getIds()).mapToInt(x -> (int) x).toArray();
                assertThat(ours.encode(line)).as(line).containsExactly(expected);
                assertThat(reread.encode(line)).as("re-read: " + line).containsExactly(expected);
            }
        }
    }

    @Test
    void byteLevelQwen2() throws Exception {
        Tokenizer ours = BpeTrainer.train(train, new TrainerOptions.ByteLevel(2000, List.of("<|endoftext|>"), PreTokenizerPattern.QWEN2, 64, 2));
        Path json = tmp.resolve("bl-qwen2.json");
        TokenizerJson.write(ours, json);
        assertParity(ours, json);
        for (String line : test) assertThat(ours.decode(ours.encode(line))).isEqualTo(line);
    }

    @Test
    void byteLevelGpt2() throws Exception {
        Tokenizer ours = BpeTrainer.train(train, new TrainerOptions.ByteLevel(1500, List.of("<|endoftext|>"), PreTokenizerPattern.GPT2, 64, 2));
        Path json = tmp.resolve("bl-gpt2.json");
        TokenizerJson.write(ours, json);
        assertParity(ours, json);
    }

    @Test
    void sentencePieceTeleChat2Style() throws Exception {
        Tokenizer ours = BpeTrainer.train(train, TrainerOptions.SentencePiece.telechat2(2500, 2));
        Path json = tmp.resolve("sp.json");
        TokenizerJson.write(ours, json);
        assertParity(ours, json);
    }
}
