package org.cpylock.tck;

import org.cpylock.ParkStatus;

import java.time.Duration;

/** CPython's parking lot as the conformance suite drives it. */
public interface ParkingLot {
    /** A word to park on: zeroed memory of 1, 2, 4 or 8 bytes, aligned to its size. */
    interface Word {
        int size();

        /** The value, read atomically (unsigned for sizes below 8). */
        long get();

        /** Stores the value atomically. */
        void set(long value);
    }

    /** Receives the woken waiter's park argument (null if none) and whether others wait. */
    @FunctionalInterface
    interface UnparkCallback {
        void onUnpark(Object parkArg, boolean hasMoreWaiters);
    }

    /** A new zeroed word of {@code size} bytes. */
    Word newWord(int size);

    /** {@code _PyParkingLot_Park}. */
    ParkStatus park(Word word, long expected, Duration timeout, Object parkArg, boolean detach);

    /** {@code _PyParkingLot_Unpark}. */
    void unpark(Word word, UnparkCallback callback);

    /** {@code _PyParkingLot_UnparkAll}. */
    void unparkAll(Word word);
}
