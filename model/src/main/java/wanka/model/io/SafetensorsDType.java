package wanka.model.io;

import java.util.Optional;

/** The element types of the safetensors format, with their names as written in the header and sizes in bytes. */
public enum SafetensorsDType {
    BOOL(1), U8(1), I8(1), F8_E5M2(1), F8_E4M3(1),
    I16(2), U16(2), F16(2), BF16(2),
    I32(4), U32(4), F32(4),
    I64(8), U64(8), F64(8);

    private final int byteSize;

    SafetensorsDType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** @return bytes per element */
    public int byteSize() {
        return byteSize;
    }

    /** @return true for the types {@link SafetensorsFile#readFloats} converts to float: F64, F32, F16, BF16 */
    public boolean convertsToFloat() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /** @return the type with this header name (e.g. "BF16"), or empty for an unknown name */
    public static Optional<SafetensorsDType> fromHeaderName(String name) {
        for (SafetensorsDType t : values()) {
            if (t.name().equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
