package wanka.tokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.tokenizer.sp.PieceType;
import wanka.tokenizer.sp.SentencePieceBpe;
import wanka.tokenizer.sp.SentencePieceModel;
import wanka.tokenizer.train.BpeTrainer;
import wanka.tokenizer.train.TrainerOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** (b) Our trainer's model, written as .model, loads in Python SentencePiece and encodes exactly like our codec. */
class TrainerPeerParityTest {
    @TempDir
    Path tmp;

    @Test
    void pythonSentencePieceEncodesOurModelLikeOurCodec() throws Exception {
        Peer.assumeSentencePiece();
        List<String> en = TestCorpus.europarl(500), zh = TestCorpus.chinese();
        List<String> train = new ArrayList<>(en);
        train.addAll(zh);
        SentencePieceModel model = BpeTrainer.trainSentencePiece(train, TrainerOptions.SentencePiece.telechat2(4000, 2));
        assertThat(model.pieces()).hasSize(4000);
        assertThat(model.pieces().get(134).text()).isEqualTo("<0x00>");
        Path file = tmp.resolve("ours.model");
        model.write(file);
        assertThat(SentencePieceModel.read(file).pieces()).isEqualTo(model.pieces());

        SentencePieceBpe ours = new SentencePieceBpe(model);
        List<String> test = new ArrayList<>(TestCorpus.mixed(TestCorpus.europarl(900).subList(500, 900), zh, 500, 11));
        test.add("a\tb\tc __init__ <reserve3> 12345 x_y");
        test.add("  leading and trailing  ");
        Path corpus = tmp.resolve("test.txt");
        Files.write(corpus, test);
        List<int[]> peer = Peer.ids(file, corpus, tmp);
        for (int i = 0; i < test.size(); i++) {
            assertThat(ours.encodeOrdinary(test.get(i))).as("line %d: %s", i, test.get(i)).containsExactly(peer.get(i));
        }
        String sizes = Peer.python("-c", "import sentencepiece as s,sys; p=s.SentencePieceProcessor(model_file=sys.argv[1]);"
                + "print(p.vocab_size(), p.unk_id(), p.bos_id(), p.eos_id(), p.pad_id(), p.id_to_piece(4), p.is_control(4))", file.toString());
        assertThat(sizes.strip()).isEqualTo("4000 0 1 2 3 <_user> True");
        assertThat(ours.type(18)).isEqualTo(PieceType.USER_DEFINED);
    }
}
