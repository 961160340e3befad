package wanka.curate.dedup;

/** The hash functions de-duplication uses: a 64-bit mixer and a 128-bit hash of text. */
public final class Hashes {
    private Hashes() {
    }

    /** A 128-bit hash value. */
    public record Hash128(long hi, long lo) {
    }

    /** A bijective 64-bit finaliser with full avalanche (Stafford's "Mix13" variant of the SplitMix64 finaliser). */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * A 128-bit hash of the UTF-16 code units of {@code s}: two lanes, each absorbing 64-bit blocks (four chars)
     * through {@link #mix64} with its own key, finalised together with the length. Not cryptographic; collisions
     * between unrelated texts are about 2^-128 likely.
     */
    public static Hash128 hash128(CharSequence s) {
        long h1 = 0x243F6A8885A308D3L, h2 = 0x13198A2E03707344L;
        int n = s.length(), i = 0;
        for (; i + 4 <= n; i += 4) {
            long k = s.charAt(i) | (long) s.charAt(i + 1) << 16 | (long) s.charAt(i + 2) << 32 | (long) s.charAt(i + 3) << 48;
            h1 = Long.rotateLeft(h1 ^ mix64(k ^ 0xA4093822299F31D0L), 31) * 0x9E3779B97F4A7C15L;
            h2 = Long.rotateLeft(h2 ^ mix64(k ^ 0x082EFA98EC4E6C89L), 29) * 0xC2B2AE3D27D4EB4FL;
        }
        long k = 0;
        for (int sh = 0; i < n; i++, sh += 16) k |= (long) s.charAt(i) << sh;
        h1 = Long.rotateLeft(h1 ^ mix64(k ^ 0xA4093822299F31D0L), 31) * 0x9E3779B97F4A7C15L;
        h2 = Long.rotateLeft(h2 ^ mix64(k ^ 0x082EFA98EC4E6C89L), 29) * 0xC2B2AE3D27D4EB4FL;
        h1 ^= n;
        h2 ^= (long) n << 32;
        h1 = mix64(h1 + h2);
        h2 = mix64(h2 ^ h1);
        return new Hash128(h1, h2);
    }
}
