package wanka.cli;

import wanka.tokenizer.IntList;
import wanka.tokenizer.Tokenizer;

import java.io.PrintStream;
import java.util.function.IntConsumer;

/**
 * Prints text as tokens arrive. Byte-fallback and byte-level pieces can split a character across tokens,
 * and SentencePiece drops the space of a sequence's first word, so it decodes the context plus everything
 * generated each time and prints only the new, complete suffix.
 */
final class StreamingDecoder implements IntConsumer {
    private final Tokenizer tokenizer;
    private final PrintStream out;
    private final IntList ids = new IntList(64);
    private final int contextLength;
    private int printed;

    StreamingDecoder(Tokenizer tokenizer, PrintStream out) {
        this(tokenizer, out, new int[0]);
    }

    /** Decodes generated tokens as the continuation of {@code context} (e.g. the prompt's ids). */
    StreamingDecoder(Tokenizer tokenizer, PrintStream out, int[] context) {
        this.tokenizer = tokenizer;
        this.out = out;
        for (int id : context) ids.add(id);
        this.contextLength = context.length;
        this.printed = tokenizer.decode(ids.toArray()).length();
    }

    @Override
    public void accept(int id) {
        ids.add(id);
        String text = tokenizer.decode(ids.toArray());
        int end = text.length();
        while (end > printed && text.charAt(end - 1) == '\uFFFD') end--; // incomplete UTF-8 sequence: wait
        if (end > printed) {
            out.print(text.substring(printed, end));
            out.flush();
            printed = end;
        }
    }

    /** The generated text (without the context). */
    String text() {
        int[] all = ids.toArray();
        return tokenizer.decode(java.util.Arrays.copyOfRange(all, contextLength, all.length)).strip();
    }
}
