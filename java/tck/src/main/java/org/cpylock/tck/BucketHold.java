package org.cpylock.tck;

import org.cpylock.api.ParkingLot;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The lock of one parking-lot bucket, held by a thread inside an unpark's
 * callback until released: {@code _PyParkingLot_Unpark} calls the callback
 * under the bucket's lock ({@code Python/parking_lot.c}). The unpark is of
 * another address in the same bucket ({@code address % NUM_BUCKETS}, 257
 * buckets), so nothing parked on the held address is woken; every park,
 * unpark and {@code PyMutex} slow-path unlock on it waits meanwhile.
 */
final class BucketHold {
    /** {@code NUM_BUCKETS}, {@code Python/parking_lot.c}. */
    private static final int NUM_BUCKETS = 257;

    private final AtomicBoolean holding = new AtomicBoolean();
    private final AtomicBoolean release = new AtomicBoolean();

    private BucketHold() {
    }

    /**
     * Holds the bucket of {@code address}, and returns once it is held.
     *
     * @param threads the test's threads, one of which holds the bucket
     * @param lot     the implementation's parking lot
     * @param address memory whose first byte's bucket is to be held
     * @return the hold, until {@link #release()}
     */
    static BucketHold of(Threads threads, ParkingLot lot, MemorySegment address) {
        MemorySegment other = Arena.ofAuto().allocate(2 * NUM_BUCKETS);
        MemorySegment sameBucket = other.asSlice(Math.floorMod(address.address() - other.address(), NUM_BUCKETS), 1);
        BucketHold hold = new BucketHold();
        threads.start("bucket-holder", () -> lot.unpark(sameBucket, (arg, more) -> {
            hold.holding.set(true);
            Threads.awaitTrue(hold.release::get, "the test to let the bucket go");
        }));
        Threads.awaitTrue(hold.holding::get, "an unpark's callback to hold the bucket");
        return hold;
    }

    /** Lets the callback return, and with it the bucket's lock. */
    void release() {
        release.set(true);
    }
}
