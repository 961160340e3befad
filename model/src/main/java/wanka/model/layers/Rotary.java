package wanka.model.layers;

import wanka.tensor.cpu.RopeTable;

/**
 * The position context of one forward call: the rotary table (TeleChat2 picks its NTK base and mscale from the total
 * length) and, for packed rows, each token's position and sample ({@link Packing}; null: one sample per row at
 * positions 0..seq-1, plain causal attention).
 */
public record Rotary(RopeTable table, Packing packing) {

    public Rotary(RopeTable table) {
        this(table, null);
    }

    /** TeleChat2's table covering positions [0, totalLength). */
    public static Rotary telechat2(int headDim, int totalLength, int trainingSeqlen, int baseSeqlen, double base) {
        return new Rotary(RopeTable.telechat2(headDim, totalLength, trainingSeqlen, baseSeqlen, base));
    }

    /** The same table with packed rows. */
    public Rotary packed(Packing p) {
        return new Rotary(table, p);
    }
}
