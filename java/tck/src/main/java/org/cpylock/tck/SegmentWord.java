package org.cpylock.tck;

import org.cpylock.api.InMemory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * A word to park on: a memory segment of 1, 2, 4 or 8 bytes, aligned to its
 * size, read and written atomically.
 *
 * @param segment the word's memory
 */
public record SegmentWord(MemorySegment segment) {
    /**
     * Checks the segment's size.
     *
     * @param segment the word's memory
     * @throws IllegalArgumentException if it is not 1, 2, 4 or 8 bytes
     */
    public SegmentWord {
        long size = segment.byteSize();
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            throw new IllegalArgumentException("a word is 1, 2, 4 or 8 bytes, not " + size);
        }
    }

    /**
     * A zeroed word of {@code size} bytes, freed when unreachable.
     *
     * @param size 1, 2, 4 or 8
     * @return the word
     */
    public static SegmentWord allocate(int size) {
        return new SegmentWord(Arena.ofAuto().allocate(size, size));
    }

    /**
     * A primitive's address as a parking-lot word: its first byte (the lot
     * keys waiters by address), for stray unparks of its waiters.
     *
     * @param primitive a primitive in memory
     * @return its first byte
     */
    public static SegmentWord firstByteOf(InMemory primitive) {
        return new SegmentWord(primitive.segment().asSlice(0, 1));
    }

    /**
     * The size of the word in bytes.
     *
     * @return 1, 2, 4 or 8
     */
    public int size() {
        return (int) segment.byteSize();
    }

    /**
     * The value, read atomically.
     *
     * @return the value, zero-extended to a long for sizes below 8
     */
    public long get() {
        return switch (size()) {
            case 1 -> Byte.toUnsignedLong((byte) handle().getVolatile(segment, 0L));
            case 2 -> Short.toUnsignedLong((short) handle().getVolatile(segment, 0L));
            case 4 -> Integer.toUnsignedLong((int) handle().getVolatile(segment, 0L));
            default -> (long) handle().getVolatile(segment, 0L);
        };
    }

    /**
     * Stores the value atomically.
     *
     * @param value the value; only its low {@link #size()} bytes are stored
     */
    public void set(long value) {
        switch (size()) {
            case 1 -> handle().setVolatile(segment, 0L, (byte) value);
            case 2 -> handle().setVolatile(segment, 0L, (short) value);
            case 4 -> handle().setVolatile(segment, 0L, (int) value);
            default -> handle().setVolatile(segment, 0L, value);
        }
    }

    private VarHandle handle() {
        return switch (size()) {
            case 1 -> ValueLayout.JAVA_BYTE.varHandle();
            case 2 -> ValueLayout.JAVA_SHORT.varHandle();
            case 4 -> ValueLayout.JAVA_INT.varHandle();
            default -> ValueLayout.JAVA_LONG.varHandle();
        };
    }
}
