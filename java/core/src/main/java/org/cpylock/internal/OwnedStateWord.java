package org.cpylock.internal;

import java.lang.foreign.MemorySegment;

/**
 * A state word in memory the facade owns ({@link OwnedMemory}), as
 * {@link LockC} uses it: 1 byte (at the start of a 4-byte slot whose other
 * bytes stay zero, see {@link ByteStateWord#compareAndSetOwned}), 4 or 8 bytes.
 *
 * @param owner   keeps the memory alive (see {@link OwnedMemory})
 * @param address the word's address
 * @param segment the word's memory, for calls that take its address
 * @param size    1, 4 or 8
 */
public record OwnedStateWord(Object owner, long address, MemorySegment segment, int size) implements StateWord {
    @Override
    public long getVolatile() {
        return switch (size) {
            case 1 -> OwnedMemory.getByteVolatile(owner, address);
            case 4 -> Integer.toUnsignedLong(OwnedMemory.getIntVolatile(owner, address));
            default -> OwnedMemory.getLongVolatile(owner, address);
        };
    }

    @Override
    public boolean compareAndSet(long expected, long desired) {
        return switch (size) {
            case 1 -> ByteStateWord.compareAndSetOwned(owner, address, (int) expected, (int) desired);
            case 4 -> OwnedMemory.compareAndSetInt(owner, address, (int) expected, (int) desired);
            default -> OwnedMemory.compareAndSetLong(owner, address, expected, desired);
        };
    }
}
