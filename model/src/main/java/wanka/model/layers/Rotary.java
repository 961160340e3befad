package wanka.model.layers;

import wanka.tensor.cpu.RopeTable;

/** The rotary table for one forward call; TeleChat2 picks its NTK base and mscale from the total length. */
public record Rotary(RopeTable table) {

    /** TeleChat2's table covering positions [0, totalLength). */
    public static Rotary telechat2(int headDim, int totalLength, int trainingSeqlen, int baseSeqlen, double base) {
        return new Rotary(RopeTable.telechat2(headDim, totalLength, trainingSeqlen, baseSeqlen, base));
    }
}
