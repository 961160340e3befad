package wanka.cli;

import wanka.tokenizer.Tokenizer;

import java.util.List;

/**
 * TeleChat2's chat format as its training code builds it:
 * {@code <_system>{system}\n<_user>{q1}<_bot>{a1}<_end>\n<_user>{q2}<_bot>}; role markers are single special tokens.
 */
final class Chat {
    private Chat() {
    }

    /** One past exchange. */
    record Turn(String user, String assistant) {
    }

    static int special(Tokenizer tok, String piece) {
        return tok.id(piece).orElseThrow(() -> new IllegalArgumentException("the tokenizer has no " + piece + " token, so it cannot use TeleChat2's chat format"));
    }

    static int[] userTurn(Tokenizer tok, String question) {
        return prompt(tok, null, List.of(), question);
    }

    static int[] prompt(Tokenizer tok, String system, List<Turn> history, String question) {
        IntBuilder b = new IntBuilder();
        if (system != null && !system.isEmpty()) {
            b.add(special(tok, "<_system>")).addAll(tok.encode(system)).addAll(tok.encode("\n"));
        }
        for (Turn t : history) {
            b.add(special(tok, "<_user>")).addAll(tok.encode(t.user())).add(special(tok, "<_bot>")).addAll(tok.encode(t.assistant()))
                    .add(special(tok, "<_end>")).addAll(tok.encode("\n"));
        }
        return b.add(special(tok, "<_user>")).addAll(tok.encode(question)).add(special(tok, "<_bot>")).toArray();
    }

    private static final class IntBuilder {
        private int[] a = new int[256];
        private int n;

        IntBuilder add(int v) {
            if (n == a.length) a = java.util.Arrays.copyOf(a, n * 2);
            a[n++] = v;
            return this;
        }

        IntBuilder addAll(int[] vs) {
            for (int v : vs) add(v);
            return this;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }
}
