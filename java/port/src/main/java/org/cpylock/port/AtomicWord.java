package org.cpylock.port;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * One unsigned integer of 1, 2, 4 or 8 bytes in native memory, read and
 * updated atomically as CPython's {@code _Py_atomic_*} functions
 * ({@code Include/cpython/pyatomic.h}) do.
 */
final class AtomicWord {
    /*
     * Implementation notes: every access goes through the var handles of
     * ValueLayout.JAVA_BYTE/SHORT/INT/LONG, so the bytes in the segment are
     * exactly those C would hold (native byte order). Values travel as longs,
     * zero-extended for words narrower than 8 bytes, as C's unsigned types
     * are.
     *
     * Loads and stores of every width are volatile accesses. Memory-segment
     * var handles have no compare-and-set for 1- and 2-byte values, so those
     * widths are updated through the aligned 4-byte word that contains them:
     * read it, replace the bits of this word, compare-and-set the whole int,
     * and retry if only a neighbouring byte changed. That needs those 4 bytes
     * to lie inside the segment, which updatable() checks; stores of such
     * words use the same loop, so every write to the container is a 4-byte
     * atomic. Volatile and compare-and-set accesses are sequentially
     * consistent, at least as strong as the C orderings they stand for.
     */

    private static final VarHandle BYTE = ValueLayout.JAVA_BYTE.varHandle();
    private static final VarHandle SHORT = ValueLayout.JAVA_SHORT.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final MemorySegment segment;
    private final long offset;
    private final int size;
    /** The value bits: the low {@code 8 * size} bits. */
    private final long mask;
    /** For sizes 1 and 2: the offset of the aligned int containing the word, or -1 if it is not in the segment. */
    private final long containerOffset;
    /** For sizes 1 and 2: where the word's bits sit in that int. */
    private final int shift;

    private AtomicWord(MemorySegment segment, long offset, int size) {
        this.segment = segment;
        this.offset = offset;
        this.size = size;
        this.mask = size == 8 ? -1L : (1L << (8 * size)) - 1;
        long address = segment.address() + offset;
        int index = (int) (address & 3);
        long container = offset - index;
        this.containerOffset = size < 4 && container >= 0 && container + 4 <= segment.byteSize() ? container : -1;
        this.shift = 8 * (LITTLE_ENDIAN ? index : 4 - size - index);
    }

    /** A word that may be read and updated; for 1 and 2 bytes its aligned 4-byte container must be in the segment. */
    static AtomicWord updatable(MemorySegment segment, long offset, int size, String what) {
        requireSize(size);
        Segments.require(segment, offset, size, size, true, what);
        AtomicWord word = new AtomicWord(segment, offset, size);
        if (size < 4 && word.containerOffset < 0) {
            throw new IllegalArgumentException(what + ": a " + size + "-byte state word is updated through the"
                    + " aligned 4 bytes around it, which must lie inside the segment (pass the enclosing structure"
                    + " and the word's offset in it)");
        }
        return word;
    }

    /** A word that is only read (a parking-lot address). */
    static AtomicWord readable(MemorySegment segment, long offset, int size, String what) {
        requireSize(size);
        Segments.require(segment, offset, size, size, false, what);
        return new AtomicWord(segment, offset, size);
    }

    private static void requireSize(int size) {
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            throw new IllegalArgumentException("a state word has 1, 2, 4 or 8 bytes, not " + size);
        }
    }

    /** The number of bytes. */
    int size() {
        return size;
    }

    /** The mask of the value bits: a long holding an unsigned value of this width. */
    long mask() {
        return mask;
    }

    /** The word's address: the key under which threads park on it. */
    long address() {
        return segment.address() + offset;
    }

    /** The word's bytes as a segment of its own size. */
    MemorySegment slice() {
        return segment.asSlice(offset, size);
    }

    /** An atomic load ({@code _Py_atomic_load_uintN}). */
    long get() {
        return switch (size) {
            case 1 -> Byte.toUnsignedLong((byte) BYTE.getVolatile(segment, offset));
            case 2 -> Short.toUnsignedLong((short) SHORT.getVolatile(segment, offset));
            case 4 -> Integer.toUnsignedLong((int) INT.getVolatile(segment, offset));
            default -> (long) LONG.getVolatile(segment, offset);
        };
    }

    /** An atomic store ({@code _Py_atomic_store_uintN}). */
    void set(long value) {
        switch (size) {
            case 4 -> INT.setVolatile(segment, offset, (int) value);
            case 8 -> LONG.setVolatile(segment, offset, value);
            default -> getAndSet(value);
        }
    }

    /**
     * {@code _Py_atomic_compare_exchange_uintN}: if the word holds
     * {@code expected}, stores {@code desired}. Returns the value found, which
     * equals {@code expected} exactly when the store happened (C writes it
     * back into its {@code expected} argument).
     */
    long compareAndExchange(long expected, long desired) {
        return switch (size) {
            case 4 -> Integer.toUnsignedLong((int) INT.compareAndExchange(segment, offset, (int) expected,
                    (int) desired));
            case 8 -> (long) LONG.compareAndExchange(segment, offset, expected, desired);
            default -> compareAndExchangeInContainer(expected, desired);
        };
    }

    /** Whether {@link #compareAndExchange} stored {@code desired}. */
    boolean compareAndSet(long expected, long desired) {
        return compareAndExchange(expected, desired) == expected;
    }

    /** {@code _Py_atomic_exchange_uintN}: stores {@code value}, returns the previous value. */
    long getAndSet(long value) {
        switch (size) {
            case 4:
                return Integer.toUnsignedLong((int) INT.getAndSet(segment, offset, (int) value));
            case 8:
                return (long) LONG.getAndSet(segment, offset, value);
            default:
                long current = get();
                for (;;) {
                    long witness = compareAndExchange(current, value);
                    if (witness == current) {
                        return current;
                    }
                    current = witness;
                }
        }
    }

    /** {@code _Py_atomic_add_uintN}: adds {@code delta} (wrapping), returns the previous value. */
    long getAndAdd(long delta) {
        switch (size) {
            case 4:
                return Integer.toUnsignedLong((int) INT.getAndAdd(segment, offset, (int) delta));
            case 8:
                return (long) LONG.getAndAdd(segment, offset, delta);
            default:
                long current = get();
                for (;;) {
                    long witness = compareAndExchange(current, (current + delta) & mask);
                    if (witness == current) {
                        return current;
                    }
                    current = witness;
                }
        }
    }

    private long compareAndExchangeInContainer(long expected, long desired) {
        if (containerOffset < 0) {
            throw new IllegalStateException("this " + size + "-byte word is read-only: its 4-byte container is"
                    + " outside the segment");
        }
        int fieldMask = (int) (mask << shift);
        int container = (int) INT.getVolatile(segment, containerOffset);
        for (;;) {
            long current = Integer.toUnsignedLong(container & fieldMask) >>> shift;
            if (current != expected) {
                return current;
            }
            int replaced = (container & ~fieldMask) | (int) ((desired & mask) << shift);
            int witness = (int) INT.compareAndExchange(segment, containerOffset, container, replaced);
            if (witness == container) {
                return expected;
            }
            container = witness; // this word or a neighbour changed: look again
        }
    }
}
