package wanka.model.io;

/** Conversions between float and bfloat16 (the upper 16 bits of an IEEE-754 float32). */
public final class BFloat16 {
    private BFloat16() {
    }

    /**
     * Rounds a float to the nearest bfloat16, ties to even; overflow gives infinity, NaN stays a (quiet) NaN of the
     * same sign.
     *
     * @return the bfloat16 bit pattern
     */
    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }

    /** @return the float with the given bfloat16 bit pattern (exact) */
    public static float toFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }
}
