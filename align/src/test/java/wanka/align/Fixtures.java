package wanka.align;

import wanka.tokenizer.Tokenizer;
import wanka.tokenizer.train.BpeTrainer;
import wanka.tokenizer.train.TrainerOptions;

import java.util.ArrayList;
import java.util.List;

/** Small shared test inputs: a TeleChat2-layout tokenizer trained on a few lines. */
public final class Fixtures {
    private Fixtures() {
    }

    private static final List<String> LINES = lines();

    /** A TeleChat2-layout SentencePiece BPE (ids 0-133 as TeleChat2's, byte fallback) with 420 pieces. */
    public static Tokenizer tokenizer() {
        return BpeTrainer.train(LINES, TrainerOptions.SentencePiece.telechat2(420, 1));
    }

    private static List<String> lines() {
        List<String> l = new ArrayList<>();
        String[] words = {"the", "cat", "sat", "on", "mat", "what", "is", "a", "dog", "answer", "question", "hello", "world", "you", "are", "helpful"};
        for (int i = 0; i < 200; i++) {
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < 8; j++) sb.append(words[(i * 7 + j * 3) % words.length]).append(' ');
            l.add(sb.toString().strip());
        }
        return l;
    }
}
