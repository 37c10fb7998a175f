package org.cpylock.tck;

import org.cpylock.api.ParkStatus;
import org.cpylock.api.ParkingLot;

import java.time.Duration;

/**
 * A parking lot as tests use it: on {@link SegmentWord}s, which carry their
 * size, so that a call names the word once.
 *
 * @param lot the implementation's parking lot
 */
public record WordLot(ParkingLot lot) {
    /**
     * A new zeroed word.
     *
     * @param size 1, 2, 4 or 8
     * @return a word of that size, reading 0
     */
    public SegmentWord newWord(int size) {
        return SegmentWord.allocate(size);
    }

    /**
     * {@link ParkingLot#park} on the word.
     *
     * @param word     the word to park on
     * @param expected the value the thread parks on
     * @param timeout  negative: no limit; zero: compare and return
     * @param parkArg  handed to the callback of the unpark that wakes this thread
     * @param detach   whether to detach while parked
     * @return what the parking lot returned
     */
    public ParkStatus park(SegmentWord word, long expected, Duration timeout, Object parkArg, boolean detach) {
        return lot.park(word.segment(), expected, word.size(), timeout, parkArg, detach);
    }

    /**
     * {@link ParkingLot#unpark} on the word.
     *
     * @param word     the word the waiters parked on
     * @param callback given the woken waiter's park argument and whether others still wait
     */
    public void unpark(SegmentWord word, ParkingLot.UnparkCallback callback) {
        lot.unpark(word.segment(), callback);
    }

    /**
     * {@link ParkingLot#unparkAll} on the word.
     *
     * @param word the word the waiters parked on
     */
    public void unparkAll(SegmentWord word) {
        lot.unparkAll(word.segment());
    }
}
