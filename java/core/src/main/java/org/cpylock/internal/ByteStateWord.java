package org.cpylock.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Atomic access to a byte-sized state word ({@code PyMutex._bits}) in native
 * memory, as C's {@code _Py_atomic_*_uint8} functions do it.
 *
 * <p>FFM var handles have no compare-and-set for a single byte. A byte is
 * therefore compared and set through the aligned 4-byte word that contains
 * it, with an int compare-and-set that is retried when only a neighbouring
 * byte changed; that is possible only where those 4 bytes lie inside the
 * memory the caller handed over. How a given byte is handled is its
 * <em>mode</em>, computed once:
 * <ul>
 *   <li>{@link #OWNED_WORD}: the byte opens a 4-byte slot the facade owns and
 *       whose other bytes stay zero, so one int compare-and-set suffices; the
 *       byte is then addressed absolutely (see {@link OwnedMemory}) and the
 *       {@code position} arguments below are addresses;
 *   <li>a shift from 0 to 24: the byte sits at that bit position of an aligned
 *       word inside the caller's segment, whose neighbouring bytes may change;
 *   <li>{@link #IN_C}: the aligned word reaches outside the caller's segment,
 *       so the compare-and-set is made in C.
 * </ul>
 * For the last two, {@code position} is the byte's offset in the caller's segment.
 * All accesses are sequentially consistent, as C's are.
 */
public final class ByteStateWord {
    /** Mode of a byte at the start of a facade-owned 4-byte slot. */
    public static final int OWNED_WORD = -1;
    /** Mode of a byte whose compare-and-set is made in C. */
    public static final int IN_C = -2;

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle BYTE = ValueLayout.JAVA_BYTE.varHandle();
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    private static final int OWNED_SHIFT = LITTLE_ENDIAN ? 0 : 24;

    private ByteStateWord() {
    }

    /** The mode for the byte at {@code offset} of caller-supplied native memory {@code segment}. */
    public static int modeFor(MemorySegment segment, long offset) {
        long address = segment.address() + offset;
        long wordOffset = offset - (address & 3);
        if (wordOffset < 0 || wordOffset + 4 > segment.byteSize()) {
            return IN_C;
        }
        int index = (int) (address & 3);
        return 8 * (LITTLE_ENDIAN ? index : 3 - index);
    }

    /**
     * Volatile read of the byte, 0 to 255. {@code owner} keeps owned memory
     * alive (see {@link OwnedMemory}); {@code segment} is the caller's memory
     * in the other modes.
     */
    public static int getVolatile(Object owner, MemorySegment segment, long position, int mode) {
        if (mode == OWNED_WORD) {
            return OwnedMemory.getByteVolatile(owner, position);
        }
        return Byte.toUnsignedInt((byte) BYTE.getVolatile(segment, position));
    }

    /**
     * If the byte is {@code expected}, sets it to {@code desired} and returns
     * true; else returns false ({@code _Py_atomic_compare_exchange_uint8}).
     * {@code owner} and {@code segment} as for {@link #get}.
     */
    public static boolean compareAndSet(Object owner, MemorySegment segment, long position, int mode, int expected,
                                        int desired) {
        if (mode == OWNED_WORD) {
            return OwnedMemory.compareAndSetInt(owner, position, expected << OWNED_SHIFT, desired << OWNED_SHIFT);
        }
        return mode >= 0
                ? compareAndSetInWord(segment, position, mode, expected, desired)
                : Native.compareExchangeUint8(segment.asSlice(position, 1), expected, desired);
    }

    private static boolean compareAndSetInWord(MemorySegment segment, long offset, int shift, int expected,
                                               int desired) {
        long wordOffset = offset - ((segment.address() + offset) & 3);
        int mask = 0xFF << shift;
        int word = (int) INT.getVolatile(segment, wordOffset);
        for (;;) {
            if (((word & mask) >>> shift) != expected) {
                return false;
            }
            int witness = (int) INT.compareAndExchange(segment, wordOffset, word,
                    (word & ~mask) | (desired << shift));
            if (witness == word) {
                return true;
            }
            word = witness; // a neighbouring byte, or this one, changed: look again
        }
    }
}
