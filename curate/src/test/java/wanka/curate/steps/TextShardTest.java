package wanka.curate.steps;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.data.TokenShard;
import wanka.tokenizer.Tokenizers;
import wanka.tokenizer.hf.TokenizerJson;
import wanka.tokenizer.sp.SentencePieceBpe;
import wanka.tokenizer.train.BpeTrainer;
import wanka.tokenizer.train.TrainerOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TextShardTest {

    private static SentencePieceBpe tokenizer(Path dir) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 100; i++) lines.add("the council adopted proposal " + i + " on energy");
        SentencePieceBpe tok = new SentencePieceBpe(BpeTrainer.trainSentencePiece(lines, TrainerOptions.SentencePiece.telechat2(450, 1)));
        TokenizerJson.write(tok, dir.resolve("tokenizer.json"));
        Tokenizers.writeConfig(tok, dir.resolve(Tokenizers.CONFIG_FILE));
        return tok;
    }

    @Test
    void oneDocumentPerNonBlankLineThroughThePipeline(@TempDir Path dir) throws Exception {
        SentencePieceBpe tok = tokenizer(dir);
        Path text = dir.resolve("t.txt");
        Files.writeString(text, "the council\n\n  \nadopted energy\n");
        long[] seen = {0};
        TextShard.Result r = TextShard.tokenize(text, dir, dir.resolve("work"), b -> seen[0] = b);
        assertThat(r.documents()).isEqualTo(2);
        assertThat(r.quarantined()).isZero();
        assertThat(seen[0]).isEqualTo("the council".length() + 1 + "adopted energy".length() + 1);
        int eos = tok.specials().eos().orElseThrow();
        try (TokenShard s = TokenShard.open(r.shard())) {
            int a = tok.encode("the council").length, b = tok.encode("adopted energy").length;
            assertThat(s.size()).isEqualTo(a + 1 + b + 1);
            assertThat(s.token(a)).isEqualTo(eos);
            assertThat(s.documents()).isEqualTo(2);
        }
        // a second call reuses the finished run; a changed text starts over
        assertThat(TextShard.tokenize(text, dir, dir.resolve("work"), b -> { }).shard()).isEqualTo(r.shard());
        Files.writeString(text, "the council\n");
        Files.setLastModifiedTime(text, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        assertThat(TextShard.tokenize(text, dir, dir.resolve("work"), b -> { }).documents()).isEqualTo(1);
    }

    @Test
    void badUtf8LinesAreQuarantinedAsInDataRunAndAnEmptyTextIsAnError(@TempDir Path dir) throws Exception {
        tokenizer(dir);
        Path text = dir.resolve("u.txt");
        Files.write(text, new byte[]{'o', 'k', '\n', (byte) 0xC3, (byte) 0x28, '\n', 'y', 'e', 's', '\n'});
        TextShard.Result r = TextShard.tokenize(text, dir, dir.resolve("wu"), b -> { });
        assertThat(r.documents()).isEqualTo(2);
        assertThat(r.quarantined()).isEqualTo(1);
        assertThat(Files.readString(r.quarantineFile())).contains("u.txt:2");
        Path empty = dir.resolve("e.txt");
        Files.writeString(empty, "\n \n");
        assertThatThrownBy(() -> TextShard.tokenize(empty, dir, dir.resolve("we"), b -> { })).hasMessageContaining("e.txt").hasMessageContaining("no text found");
        assertThatThrownBy(() -> TextShard.tokenize(dir.resolve("missing.txt"), dir, dir.resolve("wm"), b -> { })).hasMessageContaining("missing.txt");
    }
}
