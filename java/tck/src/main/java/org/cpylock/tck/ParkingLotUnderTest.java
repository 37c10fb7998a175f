package org.cpylock.tck;


import java.time.Duration;

/** CPython's parking lot as the conformance suite drives it. */
public interface ParkingLotUnderTest {
    /** A word to park on: zeroed memory of 1, 2, 4 or 8 bytes, aligned to its size. */
    interface Word {
        /**
         * The size of the word in bytes.
         *
         * @return 1, 2, 4 or 8
         */
        int size();

        /**
         * The value, read atomically (unsigned for sizes below 8).
         *
         * @return the value, zero-extended to a long for sizes below 8
         */
        long get();

        /**
         * Stores the value atomically.
         *
         * @param value the value; only its low {@link #size()} bytes are stored
         */
        void set(long value);
    }

    /** Receives the woken waiter's park argument (null if none) and whether others wait. */
    @FunctionalInterface
    interface UnparkCallback {
        /**
         * Called once by {@link ParkingLotUnderTest#unpark}, before it wakes the waiter (if any).
         *
         * @param parkArg        the woken waiter's park argument; null if nobody was parked
         * @param hasMoreWaiters whether other threads still wait on the word
         */
        void onUnpark(Object parkArg, boolean hasMoreWaiters);
    }

    /**
     * A new zeroed word of {@code size} bytes.
     *
     * @param size 1, 2, 4 or 8
     * @return a word of that size, reading 0
     */
    Word newWord(int size);

    /**
     * {@code _PyParkingLot_Park}.
     *
     * @param word     the word to park on, made by {@link #newWord(int)}
     * @param expected the value the thread parks on; if the word holds another, it does not park
     * @param timeout  negative: wait without limit; zero: check the value and return
     * @param parkArg  any object, or null, handed to the callback of the {@link #unpark} that wakes this thread
     * @param detach   whether to detach the thread state while parked (in the free-threaded build this
     *                 suspends the thread's critical sections for the wait)
     * @return {@link ParkResult#OK} when unparked, {@link ParkResult#AGAIN} if the value differed (the thread
     *         did not park), {@link ParkResult#TIMEOUT}, or {@link ParkResult#INTERRUPTED}
     */
    ParkResult park(Word word, long expected, Duration timeout, Object parkArg, boolean detach);

    /**
     * {@code _PyParkingLot_Unpark}.
     *
     * @param word     the word the waiters parked on
     * @param callback given the woken waiter's park argument and whether others still wait; what it throws,
     *                 unpark rethrows after waking the waiter all the same
     */
    void unpark(Word word, UnparkCallback callback);

    /**
     * {@code _PyParkingLot_UnparkAll}.
     *
     * @param word the word the waiters parked on
     */
    void unparkAll(Word word);
}
