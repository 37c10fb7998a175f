package org.cpylock.port;

import org.cpylock.api.ParkStatus;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * CPython's parking lot ({@code Include/internal/pycore_parking_lot.h},
 * {@code Python/parking_lot.c}): threads wait on addresses and are woken by
 * address. {@link PyMutex}, {@link PyEvent}, {@link RWMutex},
 * {@link OnceFlag} and {@link RecursiveMutex} wait through it.
 *
 * <h2>State</h2>
 * A table of 257 buckets, chosen by address modulo 257. Each bucket is a
 * {@link RawMutex} and a FIFO queue of the threads parked on its addresses.
 * {@link #park} compares the value at the address with the expected one
 * under the bucket lock, so an unpark that follows a change of the value is
 * never lost; {@link #unpark} takes the oldest waiter on the address and
 * calls the callback, still under the bucket lock, before waking it.
 *
 * <p>Each {@link Port} owns one parking lot; threads park only on memory that
 * is alive (they keep it reachable while they wait).
 */
public final class ParkingLot implements org.cpylock.api.ParkingLot {
    /*
     * Implementation notes: _PyParkingLot_Park, _PyParkingLot_Unpark and
     * _PyParkingLot_UnparkAll ported step for step: lock the bucket, compare
     * (Park) or dequeue (Unpark), unlock, then wait or wake outside the
     * lock. A waiter that times out or is interrupted relocks the bucket: if
     * an unparker has already dequeued it (is_unparking), it waits for that
     * wake-up, which is on its way, and reports OK; otherwise it unlinks
     * itself, so a bucket never keeps an entry whose thread left. Waits go
     * through WakeSignal (LockSupport), with detach as _PySemaphore_Wait does
     * it.
     *
     * The callback of unpark is user code here: it runs under the bucket
     * lock as in C; what it throws is caught, the waiter is woken all the
     * same, and the same throwable is rethrown. Calls into the parking lot
     * from inside a callback would deadlock on the bucket lock and are
     * refused with IllegalStateException.
     */

    /** {@code NUM_BUCKETS} ({@code Python/parking_lot.c}, line 35). */
    static final int NUM_BUCKETS = 257;

    private final Bucket[] buckets = new Bucket[NUM_BUCKETS];
    private final ThreadStates threads;

    ParkingLot(ThreadStates threads) {
        this.threads = threads;
        MemorySegment locks = Segments.allocate(8L * NUM_BUCKETS, 8);
        for (int i = 0; i < NUM_BUCKETS; i++) {
            buckets[i] = new Bucket(new RawMutex(AtomicWord.updatable(locks, 8L * i, 8, "bucket")));
        }
    }

    /**
     * Parks the calling thread on {@code address} if the {@code size}-byte
     * value there equals {@code expected}, until it is unparked, the timeout
     * passes or it is interrupted. {@code _PyParkingLot_Park}
     * ({@code Python/parking_lot.c}).
     *
     * @param address  where to park: native memory of at least {@code size} bytes, aligned to {@code size}
     * @param expected the value the thread parks on: fits in {@code size} bytes, signed or unsigned
     * @param size     1, 2, 4 or 8
     * @param timeout  negative: no limit; zero: compare, queue and return at once
     * @param parkArg  any object, or null, handed to the callback of the {@link #unpark} that wakes this thread
     * @param detach   whether to detach the thread state while parked (free-threaded: suspending its critical
     *                 sections)
     * @return {@link ParkStatus#OK} when unparked; {@link ParkStatus#AGAIN} if the value differed (the thread
     *         did not park, interrupted or not); {@link ParkStatus#TIMEOUT}; {@link ParkStatus#INTERRUPTED} if the
     *         thread was interrupted before or while parked (its interrupt status stays set)
     * @throws IllegalArgumentException for another size, a value that does not fit, or unusable memory
     * @throws IllegalStateException    when called from an unpark callback, or when detaching finds a critical
     *                                  section whose mutex was unlocked outside it
     */
    public ParkStatus park(MemorySegment address, long expected, int size, Duration timeout, Object parkArg,
                           boolean detach) {
        AtomicWord word = AtomicWord.readable(address, 0, size, "ParkingLot.park");
        if (size < 8) {
            long unsignedMax = word.mask();
            long signedMin = -(1L << (8 * size - 1));
            if (expected < signedMin || expected > unsignedMax) {
                throw new IllegalArgumentException("ParkingLot.park: " + expected + " does not fit in " + size
                        + " bytes");
            }
        }
        return park(word, expected & word.mask(), Timeouts.toPyTimeout(timeout), parkArg, detach);
    }

    /**
     * Wakes the thread that has waited longest on {@code address}, if any,
     * after calling {@code callback} under the bucket lock.
     * {@code _PyParkingLot_Unpark} ({@code Python/parking_lot.c}).
     *
     * @param address  the address the waiters parked on (native memory; its contents are not read)
     * @param callback given the woken waiter's park argument and whether others still wait; what it throws,
     *                 unpark rethrows after waking the waiter all the same
     * @throws IllegalStateException when called from an unpark callback
     */
    public void unpark(MemorySegment address, UnparkCallback callback) {
        Objects.requireNonNull(callback, "callback");
        Segments.require(address, 0, 0, 1, false, "ParkingLot.unpark");
        unpark(address.address(), callback);
    }

    /**
     * Wakes every thread parked on {@code address}. {@code _PyParkingLot_UnparkAll}
     * ({@code Python/parking_lot.c}).
     *
     * @param address the address the threads parked on (native memory; its contents are not read)
     * @throws IllegalStateException when called from an unpark callback
     */
    public void unparkAll(MemorySegment address) {
        Segments.require(address, 0, 0, 1, false, "ParkingLot.unparkAll");
        unparkAll(address.address());
    }

    /** {@code _PyParkingLot_Park} on a state word of the port; {@code expected} is an unsigned value of its width. */
    ParkStatus park(AtomicWord word, long expected, long timeout, Object parkArg, boolean detach) {
        ThreadState state = threads.current();
        state.requireNotInUnparkCallback("park");
        WaitEntry wait = new WaitEntry(parkArg, word.address());
        Bucket bucket = bucketOf(wait.address);

        bucket.mutex.lock();
        if (word.get() != expected) {
            bucket.mutex.unlock();
            return ParkStatus.AGAIN;
        }
        if (detach && state.isAttached() && !state.sectionsSuspendable()) {
            // C would reach PyEval_ReleaseThread and abort; refused before the wait is queued
            bucket.mutex.unlock();
            throw ThreadState.notSuspendable("ParkingLot.park");
        }
        bucket.enqueue(wait);
        bucket.mutex.unlock();

        ParkStatus status;
        try {
            status = wait.signal.await(timeout, state, detach);
        } catch (Throwable failure) {
            leaveAfterFailure(bucket, wait);
            throw failure;
        }
        if (status == ParkStatus.OK) {
            return status;
        }

        // Timed out or interrupted: leave the queue, unless an unparker is already waking us.
        bucket.mutex.lock();
        if (wait.isUnparking) {
            bucket.mutex.unlock();
            wait.signal.awaitWoken(state, detach);
            return ParkStatus.OK;
        }
        bucket.remove(wait);
        bucket.mutex.unlock();
        return status;
    }

    /** {@code _PyParkingLot_Unpark} by address. */
    void unpark(long address, UnparkCallback callback) {
        ThreadState state = threads.current();
        state.requireNotInUnparkCallback("unpark");
        Bucket bucket = bucketOf(address);
        Throwable failure = null;

        bucket.mutex.lock();
        WaitEntry waiter = bucket.dequeue(address);
        state.inUnparkCallback(true);
        try {
            if (waiter != null) {
                callback.onUnpark(waiter.parkArg, bucket.numWaiters > 0);
            } else {
                callback.onUnpark(null, false);
            }
        } catch (Throwable thrown) {
            failure = thrown;
        } finally {
            state.inUnparkCallback(false);
            bucket.mutex.unlock();
        }

        if (waiter != null) {
            // Woken outside the bucket lock.
            waiter.signal.wakeup();
        }
        if (failure != null) {
            throw Throwables.<RuntimeException>rethrow(failure);
        }
    }

    /** {@code _PyParkingLot_UnparkAll} by address. */
    void unparkAll(long address) {
        threads.current().requireNotInUnparkCallback("unparkAll");
        Bucket bucket = bucketOf(address);
        List<WaitEntry> woken = new ArrayList<>();

        bucket.mutex.lock();
        bucket.dequeueAll(address, woken);
        bucket.mutex.unlock();

        for (WaitEntry waiter : woken) {
            waiter.signal.wakeup();
        }
    }

    private Bucket bucketOf(long address) {
        return buckets[(int) Long.remainderUnsigned(address, NUM_BUCKETS)];
    }

    /** A wait that failed with an exception (not a C outcome): leaves the queue if still in it. */
    private static void leaveAfterFailure(Bucket bucket, WaitEntry wait) {
        bucket.mutex.lock();
        try {
            if (!wait.isUnparking) {
                bucket.remove(wait);
            }
        } finally {
            bucket.mutex.unlock();
        }
    }
}
