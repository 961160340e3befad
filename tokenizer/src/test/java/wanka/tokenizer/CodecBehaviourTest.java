package wanka.tokenizer;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.tokenizer.sp.Piece;
import wanka.tokenizer.sp.PieceType;
import wanka.tokenizer.sp.SentencePieceBpe;
import wanka.tokenizer.train.BpeTrainer;
import wanka.tokenizer.train.TrainerOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Spec-level behaviour of a TeleChat2-style model trained on the sample corpus. */
class CodecBehaviourTest {
    static SentencePieceBpe tok;

    @BeforeAll
    static void train() {
        List<String> lines = new ArrayList<>(TestCorpus.europarl(300));
        lines.addAll(TestCorpus.chinese());
        tok = new SentencePieceBpe(BpeTrainer.trainSentencePiece(lines, TrainerOptions.SentencePiece.telechat2(3000, 2)));
    }

    @Test
    void teleChat2IdTable() {
        List<Piece> p = tok.model().pieces();
        assertThat(List.of(p.get(0).text(), p.get(1).text(), p.get(2).text(), p.get(3).text(), p.get(4).text(), p.get(5).text(),
                p.get(6).text(), p.get(7).text(), p.get(8).text(), p.get(18).text(), p.get(29).text(), p.get(34).text(), p.get(133).text()))
                .containsExactly("<_unk>", "<_start>", "<_end>", "<_pad>", "<_user>", "<_bot>", "<_system>", "<_observation>", "<_sep>",
                        "0", "\n", "<reserve1>", "<reserve100>");
        assertThat(p.get(134).type()).isEqualTo(PieceType.BYTE);
        assertThat(p.get(389).text()).isEqualTo("<0xFF>");
    }

    @Test
    void unseenCharactersFallBackToTheirUtf8Bytes() {
        for (String s : List.of("😀", "𠀀", "\u9fa5")) {
            int[] ids = tok.encodeOrdinary(s);
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            assertThat(ids).hasSize(1 + utf8.length); // "▁" then one byte piece per UTF-8 byte
            for (int i = 0; i < utf8.length; i++) assertThat(tok.piece(ids[i + 1])).isEqualTo(Piece.byteText(utf8[i]));
            assertThat(tok.decode(ids)).isEqualTo(s);
        }
    }

    @Test
    void digitsAreSplit() {
        int[] ids = tok.encodeOrdinary("year 20241231");
        List<String> pieces = new ArrayList<>();
        for (int id : ids) pieces.add(tok.piece(id));
        assertThat(String.join("", pieces)).isEqualTo("\u2581year\u258120241231");
        assertThat(pieces.subList(pieces.size() - 8, pieces.size())).containsExactly("2", "0", "2", "4", "1", "2", "3", "1");
    }

    @Test
    void specialTokensInTextAreSingleIdsWhenEnabled() {
        int[] ids = tok.encode("<_user>hi<_bot>yo<_end>");
        assertThat(ids[0]).isEqualTo(4);
        assertThat(ids[ids.length - 1]).isEqualTo(2);
        assertThat(ids).contains(5);
        int[] plain = tok.withSpecials(tok.specials().withMatchInText(false)).encode("<_user>hi");
        assertThat(plain).doesNotContain(4);
        assertThat(tok.decode(plain)).isEqualTo("<_user>hi");
    }

    @Test
    void emptyAndRoundTrip() {
        assertThat(tok.encode("")).isEmpty();
        assertThat(tok.decode(new int[0])).isEmpty();
        for (String s : TestCorpus.mixed(TestCorpus.europarl(50), TestCorpus.chinese(), 100, 3)) {
            assertThat(tok.decode(tok.encodeOrdinary(s))).isEqualTo(s);
        }
        assertThat(tok.decode(tok.encodeOrdinary("  two leading"))).isEqualTo("  two leading"); // identity: spaces kept, dummy prefix removed
    }

    @Test
    void chatTemplateMasksOnlyAssistantTokensAndEnd() {
        ChatTemplate t = ChatTemplate.telechat2(tok);
        var enc = t.encode(List.of(new ChatTemplate.Message(ChatTemplate.Role.SYSTEM, "sys"),
                new ChatTemplate.Message(ChatTemplate.Role.USER, "q1"), new ChatTemplate.Message(ChatTemplate.Role.ASSISTANT, "a1"),
                new ChatTemplate.Message(ChatTemplate.Role.USER, "q2")), true);
        List<Integer> expected = new ArrayList<>();
        expected.add(6);
        for (int x : tok.encodeOrdinary("sys")) expected.add(x);
        for (int x : tok.encodeOrdinary("\n")) expected.add(x);
        expected.add(4);
        for (int x : tok.encodeOrdinary("q1")) expected.add(x);
        expected.add(5);
        int aStart = expected.size();
        for (int x : tok.encodeOrdinary("a1")) expected.add(x);
        expected.add(2);
        int aEnd = expected.size();
        for (int x : tok.encodeOrdinary("\n")) expected.add(x);
        expected.add(4);
        for (int x : tok.encodeOrdinary("q2")) expected.add(x);
        expected.add(5);
        assertThat(enc.ids()).containsExactly(expected.stream().mapToInt(Integer::intValue).toArray());
        for (int i = 0; i < enc.ids().length; i++) assertThat(enc.lossMask()[i]).as("mask %d", i).isEqualTo(i >= aStart && i < aEnd);
    }

    @Test
    void loadErrorsNameThePath(@TempDir Path dir) {
        assertThatThrownBy(() -> Tokenizers.load(dir)).isInstanceOf(IOException.class).hasMessageContaining(dir.toString());
        assertThatThrownBy(() -> Tokenizers.load(dir.resolve("x.txt"))).hasMessageContaining("x.txt");
    }
}
