package wanka.tokenizer.bytelevel;

/**
 * GPT-2's reversible map from the 256 byte values to printable Unicode characters: printable Latin-1 bytes map to
 * themselves, the other 68 bytes to U+0100 onwards in byte order.
 */
public final class ByteUnicode {
    private static final char[] TO_CHAR = new char[256];
    private static final int[] TO_BYTE = new int[0x200];

    static {
        java.util.Arrays.fill(TO_BYTE, -1);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (0x100 + extra++);
            TO_CHAR[b] = c;
            TO_BYTE[c] = b;
        }
    }

    private ByteUnicode() { }

    /** The character standing for byte {@code b}. */
    public static char toChar(int b) { return TO_CHAR[b & 0xFF]; }

    /** The byte a character stands for, or -1. */
    public static int toByte(char c) { return c < TO_BYTE.length ? TO_BYTE[c] : -1; }

    /** Maps UTF-8 bytes to their character string. */
    public static String encode(byte[] bytes, int from, int to) {
        char[] c = new char[to - from];
        for (int i = from; i < to; i++) c[i - from] = TO_CHAR[bytes[i] & 0xFF];
        return new String(c);
    }
}
