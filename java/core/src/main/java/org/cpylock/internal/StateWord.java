package org.cpylock.internal;

import java.lang.foreign.MemorySegment;

/**
 * A lock's state word in native memory, as {@code Python/lock.c} uses it:
 * read and compared-and-set atomically (sequentially consistent, as C's
 * {@code _Py_atomic_*} functions), and parked on by its address.
 */
public interface StateWord {
    /**
     * The word, read with volatile semantics, zero-extended.
     *
     * @return the value, 0 to 2<sup>8 {@link #size()}</sup> - 1 (any {@code long} for 8 bytes)
     */
    long getVolatile();

    /**
     * If the word is {@code expected}, sets it to {@code desired}.
     *
     * @param expected the value the word must have, zero-extended
     * @param desired  the value it gets
     * @return whether it was set
     */
    boolean compareAndSet(long expected, long desired);

    /**
     * The word's memory, for calls that take its address (the parking lot keys on it).
     *
     * @return a segment of {@link #size()} bytes at the word
     */
    MemorySegment segment();

    /**
     * The word's width in bytes, as the parking lot compares it.
     *
     * @return 1, 4 or 8
     */
    int size();
}
