package org.cpylock.internal;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the calls in progress that can reach the parking lot (wait in it,
 * wake from it, or lock one of its buckets).
 *
 * <p>{@code _PyParkingLot_AfterFork} clears every bucket, which is right only
 * in a freshly forked child where no other thread exists; run while a thread
 * waits in a bucket or holds a bucket's lock, it would corrupt the bucket and
 * later abort the process. The facade refuses it while this count is not zero.
 */
final class ParkingLotActivity {
    private static final LongAdder IN_PROGRESS = new LongAdder();

    private ParkingLotActivity() {
    }

    static void enter() {
        IN_PROGRESS.increment();
    }

    static void exit() {
        IN_PROGRESS.decrement();
    }

    static long inProgress() {
        return IN_PROGRESS.sum();
    }
}
