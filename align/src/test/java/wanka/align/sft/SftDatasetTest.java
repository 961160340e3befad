package wanka.align.sft;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.align.Fixtures;
import wanka.tokenizer.ChatTemplate;
import wanka.tokenizer.Tokenizer;
import wanka.tokenizer.bytelevel.ByteLevelBpe;
import wanka.tokenizer.train.BpeTrainer;
import wanka.tokenizer.train.TrainerOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SftDatasetTest {
    private static Tokenizer tok;
    private static ChatTemplate template;

    @TempDir
    Path dir;

    @BeforeAll
    static void setUp() {
        tok = Fixtures.tokenizer();
        template = SftDataset.template(tok);
    }

    private static void add(List<Integer> ids, List<Boolean> mask, boolean trained, int... xs) {
        for (int x : xs) {
            ids.add(x);
            mask.add(trained);
        }
    }

    /**
     * The mask, token by token, for a two-turn OpenAI conversation with a system prompt:
     * {@code <_system>sys\n<_user>q1<_bot>a1<_end>\n<_user>q2<_bot>a2<_end>\n}; only a1, a2 and their {@code <_end>} are trained.
     */
    @Test
    void lossMaskCoversExactlyTheAssistantTokens() throws Exception {
        Path f = dir.resolve("chat.jsonl");
        Files.writeString(f, """
                {"messages": [{"role": "system", "content": "you are helpful"}, {"role": "user", "content": "what is a cat"},
                 {"role": "assistant", "content": "a cat is"}, {"role": "user", "content": "hello"}, {"role": "assistant", "content": "hello world"}]}
                """.replace("\n ", " "));
        SftDataset ds = SftDataset.load(List.of(f), template, 1000);
        assertThat(ds.quarantined()).isEmpty();
        SftSample s = ds.samples().getFirst();

        List<Integer> ids = new ArrayList<>();
        List<Boolean> mask = new ArrayList<>();
        int[] nl = tok.encodeOrdinary("\n");
        add(ids, mask, false, 6);
        add(ids, mask, false, tok.encodeOrdinary("you are helpful"));
        add(ids, mask, false, nl);
        add(ids, mask, false, 4);
        add(ids, mask, false, tok.encodeOrdinary("what is a cat"));
        add(ids, mask, false, 5);
        add(ids, mask, true, tok.encodeOrdinary("a cat is"));
        add(ids, mask, true, 2);
        add(ids, mask, false, nl);
        add(ids, mask, false, 4);
        add(ids, mask, false, tok.encodeOrdinary("hello"));
        add(ids, mask, false, 5);
        add(ids, mask, true, tok.encodeOrdinary("hello world"));
        add(ids, mask, true, 2);
        add(ids, mask, false, nl);

        assertThat(s.ids()).containsExactly(ids.stream().mapToInt(Integer::intValue).toArray());
        for (int i = 0; i < ids.size(); i++) assertThat(s.lossMask()[i]).as("mask at %d (id %d)", i, ids.get(i)).isEqualTo(mask.get(i));
        int[] targets = s.targets();
        for (int i = 0; i < ids.size(); i++) {
            int want = i + 1 < ids.size() && mask.get(i + 1) ? ids.get(i + 1) : -100;
            assertThat(targets[i]).as("target at %d", i).isEqualTo(want);
        }
        assertThat(s.trainedTokens()).isEqualTo((int) mask.stream().filter(b -> b).count());
        assertThat(tok.decode(s.ids())).contains("a cat is").contains("hello world");
    }

    @Test
    void alpacaAndShareGptRenderLikeTheSameConversationInMessages() throws Exception {
        Path f = dir.resolve("mixed.jsonl");
        Files.writeString(f, String.join("\n",
                "{\"instruction\": \"what is\", \"input\": \"a dog\", \"output\": \"the answer\"}",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"what is\\na dog\"}, {\"role\": \"assistant\", \"content\": \"the answer\"}]}",
                "{\"conversations\": [{\"from\": \"human\", \"value\": \"what is\\na dog\"}, {\"from\": \"gpt\", \"value\": \"the answer\"}]}",
                "{\"instruction\": \"hello\", \"input\": \"\", \"output\": \"world\", \"system\": \"sys\"}",
                "{\"messages\": [{\"role\": \"system\", \"content\": \"sys\"}, {\"role\": \"user\", \"content\": \"hello\"}, {\"role\": \"assistant\", \"content\": \"world\"}]}",
                "{\"system\": \"sys\", \"conversations\": [{\"from\": \"human\", \"value\": \"hello\"}, {\"from\": \"gpt\", \"value\": \"world\"}]}",
                ""));
        SftDataset ds = SftDataset.load(List.of(f), template, 1000);
        assertThat(ds.quarantined()).isEmpty();
        assertThat(ds.samples()).hasSize(6);
        for (int i = 0; i < 6; i += 3) {
            for (int j = 1; j < 3; j++) {
                assertThat(ds.samples().get(i + j).ids()).isEqualTo(ds.samples().get(i).ids());
                assertThat(ds.samples().get(i + j).lossMask()).isEqualTo(ds.samples().get(i).lossMask());
            }
        }
        assertThat(ds.samples().get(3).line()).isEqualTo(4);
    }

    @Test
    void badLinesAreQuarantinedWithFileAndLineAndCounted() throws Exception {
        Path f = dir.resolve("bad.jsonl");
        String longAnswer = "the cat sat on the mat ".repeat(40);
        Files.writeString(f, String.join("\n",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"hello\"}, {\"role\": \"assistant\", \"content\": \"world\"}]}",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"hello\"}]}",
                "{\"messages\": [{\"role\": \"wizard\", \"content\": \"hello\"}, {\"role\": \"assistant\", \"content\": \"x\"}]}",
                "{\"conversations\": [{\"from\": \"bot\", \"value\": \"hello\"}]}",
                "{\"instruction\": \"hello\", \"output\": \"" + longAnswer + "\"}",
                "not json",
                "{\"text\": \"pretraining line\"}",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"system\", \"content\": \"late\"}, {\"role\": \"assistant\", \"content\": \"b\"}]}",
                "",
                "{\"instruction\": \"hello\", \"output\": \"world\"}"));
        SftDataset ds = SftDataset.load(List.of(f), template, 64);
        assertThat(ds.samples()).extracting(SftSample::line).containsExactly(1L, 10L);
        assertThat(ds.quarantined()).extracting(Quarantined::line).containsExactly(2L, 3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(ds.quarantined()).allSatisfy(q -> assertThat(q.file()).isEqualTo(f));
        List<String> reasons = ds.quarantined().stream().map(Quarantined::reason).toList();
        assertThat(reasons.get(0)).contains("no assistant turn");
        assertThat(reasons.get(1)).contains("unknown role \"wizard\"");
        assertThat(reasons.get(2)).contains("unknown role \"bot\"");
        assertThat(reasons.get(3)).contains("too long").contains("64");
        assertThat(reasons.get(4)).contains("not valid JSON");
        assertThat(reasons.get(5)).contains("unknown layout");
        assertThat(reasons.get(6)).contains("system message at position 1");
        assertThat(ds.summary()).contains("2 samples").contains("7 lines quarantined");

        Path q = dir.resolve("quarantine.jsonl");
        Quarantined.write(ds.quarantined(), q);
        assertThat(Files.readAllLines(q)).hasSize(7).first().asString().contains("\"line\":2").contains(f.toString());
    }

    @Test
    void aTokenizerWithoutChatTokensIsAClearError() {
        ByteLevelBpe plain = BpeTrainer.trainByteLevel(List.of("hello world", "the cat"), new TrainerOptions.ByteLevel(300, List.of("<|endoftext|>"), wanka.tokenizer.bytelevel.PreTokenizerPattern.GPT2, 16, 1));
        assertThatThrownBy(() -> SftDataset.template(plain))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot render chat data").hasMessageContaining("<_system>");
    }
}
