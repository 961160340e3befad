package wanka.tensor;

/** Element types. Compute is FP32; BF16 is a storage type for weights on disk and (later) in memory. */
public enum DType {
    F32(4),
    BF16(2);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }
}
