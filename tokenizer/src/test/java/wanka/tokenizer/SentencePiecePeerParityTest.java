package wanka.tokenizer;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.tokenizer.sp.SentencePieceBpe;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** (a) A model trained by the Python SentencePiece trainer: our codec must give the peer's ids on every line. */
class SentencePiecePeerParityTest {
    @TempDir
    static Path tmp;
    static Path model;
    static Path corpus;
    static List<String> lines;

    @BeforeAll
    static void trainPeer() throws Exception {
        Peer.assumeSentencePiece();
        List<String> en = TestCorpus.europarl(600), zh = TestCorpus.chinese();
        lines = new ArrayList<>(en);
        lines.addAll(zh);
        lines.addAll(TestCorpus.mixed(en, zh, 600, 7));
        lines.add("");
        lines.add("   ");
        corpus = tmp.resolve("corpus.txt");
        Files.write(corpus, lines);
        Peer.python(Peer.script().toString(), "train", corpus.toString(), tmp.resolve("peer").toString(), "--vocab", "3000");
        model = tmp.resolve("peer.model");
    }

    @Test
    void encodesEveryLineLikeSentencePiece() throws Exception {
        SentencePieceBpe ours = SentencePieceBpe.load(model);
        List<int[]> expected = Peer.ids(model, corpus, tmp);
        assertThat(expected).hasSize(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            assertThat(ours.encodeOrdinary(lines.get(i))).as("line %d: %s", i, lines.get(i)).containsExactly(expected.get(i));
        }
    }

    @Test
    void decodesLikeSentencePiece() throws Exception {
        SentencePieceBpe ours = SentencePieceBpe.load(model);
        List<String> sample = lines.subList(600, 1000);
        Path in = tmp.resolve("dec-in.txt");
        Files.write(in, sample);
        String script = """
                import sentencepiece as spm, sys, json
                sp = spm.SentencePieceProcessor(model_file=sys.argv[1])
                for l in open(sys.argv[2], encoding='utf-8').read().splitlines():
                    print(json.dumps(sp.decode(sp.encode(l))))
                """;
        List<String> peer = Peer.python("-c", script, model.toString(), in.toString()).lines().toList();
        for (int i = 0; i < sample.size(); i++) {
            String ourDecoded = ours.decode(ours.encodeOrdinary(sample.get(i)));
            assertThat(Json.quote(ourDecoded)).as("line %d", i).isEqualTo(peer.get(i));
        }
    }
}
