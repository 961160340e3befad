package wanka.dist;

import java.lang.foreign.MemorySegment;

/**
 * A typed view of {@code count} elements starting at element {@code offset} of a memory segment: the buffer
 * argument of every {@link ProcessGroup} operation. Views let one flat gradient buffer be reduced bucket by
 * bucket in place, without copies. The MPI backend needs native (off-heap) segments; the in-process one also
 * takes heap segments.
 *
 * @param segment the memory; the operation reads and writes only bytes {@code [offset, offset + count)} in
 *     elements of {@code type}
 * @param type element type
 * @param offset first element of the view
 * @param count number of elements
 */
public record Span(MemorySegment segment, DataType type, long offset, long count) {
    public Span {
        java.util.Objects.requireNonNull(segment, "segment");
        java.util.Objects.requireNonNull(type, "type");
        if (offset < 0 || count < 0 || (offset + count) * type.byteSize() > segment.byteSize()) {
            throw new IllegalArgumentException("span [" + offset + ", " + (offset + count) + ") of " + type.label()
                    + " lies outside a segment of " + segment.byteSize() + " bytes");
        }
    }

    /** All whole elements of {@code segment} as {@code type}. */
    public static Span of(MemorySegment segment, DataType type) {
        return new Span(segment, type, 0, segment.byteSize() / type.byteSize());
    }

    public static Span floats(MemorySegment segment) {
        return of(segment, DataType.FLOAT);
    }

    public static Span floats(MemorySegment segment, long offset, long count) {
        return new Span(segment, DataType.FLOAT, offset, count);
    }

    public static Span doubles(MemorySegment segment) {
        return of(segment, DataType.DOUBLE);
    }

    public static Span longs(MemorySegment segment) {
        return of(segment, DataType.LONG);
    }

    public static Span bytes(MemorySegment segment) {
        return of(segment, DataType.BYTE);
    }

    /** A sub-view: {@code count} elements from element {@code offset} of this view. */
    public Span view(long offset, long count) {
        if (offset < 0 || count < 0 || offset + count > this.count) {
            throw new IllegalArgumentException("view [" + offset + ", " + (offset + count) + ") outside a span of "
                    + this.count);
        }
        return new Span(segment, type, this.offset + offset, count);
    }

    /** The {@code index}-th of {@code parts} equal blocks ({@code count} must divide evenly). */
    public Span block(int index, int parts) {
        if (count % parts != 0) {
            throw new IllegalArgumentException(describe() + " does not split into " + parts + " equal blocks");
        }
        long n = count / parts;
        return view(index * n, n);
    }

    /** The bytes of this view as a segment of their own. */
    public MemorySegment slice() {
        return segment.asSlice(offset * type.byteSize(), byteSize());
    }

    public long byteSize() {
        return count * type.byteSize();
    }

    /** "float x 1024", for messages. */
    public String describe() {
        return type.label() + " x " + count;
    }
}
