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
 * memory the caller handed over. A byte is either
 * <ul>
 *   <li>in memory the facade owns, at an address: it opens a 4-byte slot
 *       whose other bytes stay zero, so one int compare-and-set suffices
 *       ({@link #compareAndSetOwned}; reads are {@link OwnedMemory}'s); or
 *   <li>in a segment the caller supplied, at an offset ({@link InSegment}):
 *       compared and set through its aligned word when that word lies inside
 *       the segment, whose neighbouring bytes may change, and in C otherwise.
 * </ul>
 * All accesses are sequentially consistent, as C's are.
 */
public final class ByteStateWord {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle BYTE = ValueLayout.JAVA_BYTE.varHandle();
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    private static final int OWNED_SHIFT = LITTLE_ENDIAN ? 0 : 24;

    private ByteStateWord() {
    }

    /**
     * If the byte opening the facade-owned slot at {@code address} is
     * {@code expected}, sets it to {@code desired} and returns true; else
     * returns false ({@code _Py_atomic_compare_exchange_uint8}). {@code owner}
     * keeps the memory alive (see {@link OwnedMemory}).
     */
    public static boolean compareAndSetOwned(Object owner, long address, int expected, int desired) {
        return OwnedMemory.compareAndSetInt(owner, address, expected << OWNED_SHIFT, desired << OWNED_SHIFT);
    }

    /**
     * The byte at {@code offset} of a segment the caller supplied.
     *
     * @param shift the byte's bit position in its aligned word inside the segment (0 to 24), or
     *              {@link #IN_C} when that word reaches outside the segment
     */
    public record InSegment(MemorySegment segment, long offset, int shift) {
        /** The shift of a byte whose compare-and-set is made in C. */
        public static final int IN_C = -1;

        /** The byte at {@code offset} of {@code segment}. */
        public static InSegment of(MemorySegment segment, long offset) {
            if (offset < 0 || offset >= segment.byteSize()) {
                return new InSegment(segment, offset, IN_C);
            }
            long address = segment.address() + offset;
            long wordOffset = offset - (address & 3);
            if (wordOffset < 0 || wordOffset > segment.byteSize() - 4) {
                return new InSegment(segment, offset, IN_C);
            }
            int index = (int) (address & 3);
            return new InSegment(segment, offset, 8 * (LITTLE_ENDIAN ? index : 3 - index));
        }

        /** Volatile read of the byte, 0 to 255. */
        public int getVolatile() {
            return Byte.toUnsignedInt((byte) BYTE.getVolatile(segment, offset));
        }

        /**
         * If the byte is {@code expected}, sets it to {@code desired} and returns
         * true; else returns false ({@code _Py_atomic_compare_exchange_uint8}).
         */
        public boolean compareAndSet(int expected, int desired) {
            return shift == IN_C
                    ? Native.compareExchangeUint8(segment.asSlice(offset, 1), expected, desired)
                    : compareAndSetInWord(expected, desired);
        }

        /** The byte's address. */
        public long address() {
            return segment.address() + offset;
        }

        /** The byte, as a one-byte segment. */
        public MemorySegment slice() {
            return segment.asSlice(offset, 1);
        }

        private boolean compareAndSetInWord(int expected, int desired) {
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
}
