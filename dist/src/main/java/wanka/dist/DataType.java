package wanka.dist;

import java.lang.foreign.ValueLayout;

/**
 * Element types a {@link ProcessGroup} moves. Reductions accept the numeric ones; {@link #BYTE} is for
 * point-to-point messages, broadcasts and gathers of opaque data.
 */
public enum DataType {
    FLOAT(ValueLayout.JAVA_FLOAT_UNALIGNED),
    DOUBLE(ValueLayout.JAVA_DOUBLE_UNALIGNED),
    LONG(ValueLayout.JAVA_LONG_UNALIGNED),
    BYTE(ValueLayout.JAVA_BYTE);

    private final ValueLayout layout;

    DataType(ValueLayout layout) {
        this.layout = layout;
    }

    /** Native-order layout of one element, without alignment constraints. */
    public ValueLayout layout() {
        return layout;
    }

    /** Bytes per element. */
    public long byteSize() {
        return layout.byteSize();
    }

    /** Whether sums and maxima are defined for this type. */
    public boolean reducible() {
        return this != BYTE;
    }

    /** Lower-case name used in messages ("float", "double", "long", "byte"). */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
