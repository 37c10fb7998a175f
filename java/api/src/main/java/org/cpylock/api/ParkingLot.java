package org.cpylock.api;

import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * CPython's parking lot ({@code Python/parking_lot.c}): threads park on an
 * address while the value there is unchanged, in one of 257 buckets chosen by
 * the address, and are woken in FIFO order per address.
 */
public interface ParkingLot {
    /**
     * Receives what {@link #unpark} found: {@code _Py_unpark_fn_t}
     * ({@code Include/internal/pycore_parking_lot.h}) without its {@code arg},
     * which a Java callback captures instead.
     */
    @FunctionalInterface
    interface UnparkCallback {
        /**
         * Called once by {@link #unpark}, under the bucket lock, before the waiter (if any) is woken.
         *
         * @param parkArg        the woken waiter's park argument; null if nobody was parked (or it passed null).
         *                       A primitive's waiter parks with an argument of the implementation's (C's
         *                       {@code park_arg}); one waiter's argument is the same in each of its parks
         *                       within one wait
         * @param hasMoreWaiters whether threads still wait in that bucket (possibly on other addresses)
         */
        void onUnpark(Object parkArg, boolean hasMoreWaiters);
    }

    /**
     * Parks the calling thread on {@code address} if the {@code size}-byte
     * value there equals {@code expected}, until it is unparked, the timeout
     * passes or it is interrupted: {@code _PyParkingLot_Park}.
     *
     * @param address  where to park: native memory of at least {@code size} bytes, aligned to {@code size}
     * @param expected the value the thread parks on: fits in {@code size} bytes, signed or unsigned
     * @param size     1, 2, 4 or 8
     * @param timeout  negative: no limit; zero: compare and return
     * @param parkArg  any object, or null, handed to the callback of the {@link #unpark} that wakes this thread
     * @param detach   whether to detach the thread state while parked (in the free-threaded flavour this
     *                 suspends its critical sections)
     * @return {@link ParkStatus#OK} when unparked; {@link ParkStatus#AGAIN} if the value differed (the thread
     *         did not park, interrupted or not); {@link ParkStatus#TIMEOUT}; {@link ParkStatus#INTERRUPTED} if the
     *         thread was interrupted before or while parked (its interrupt status stays set)
     * @throws IllegalArgumentException for another size, a value that does not fit, or unusable memory
     * @throws IllegalStateException    when called from an unpark callback; or, detaching on a value that
     *                                  matched, when the thread's critical sections cannot be suspended
     *                                  (see {@link CriticalSection}; an implementation may instead park
     *                                  without suspending them)
     */
    ParkStatus park(MemorySegment address, long expected, int size, Duration timeout, Object parkArg,
                    boolean detach);

    /**
     * Wakes the thread that parked first on {@code address}, if any: {@code _PyParkingLot_Unpark}.
     *
     * @param address  the address the waiters parked on
     * @param callback given the woken waiter's park argument and whether others still wait; what it throws,
     *                 unpark rethrows after waking the waiter all the same
     * @throws IllegalArgumentException if the address is heap memory (waiters are keyed by native address)
     * @throws IllegalStateException    when called from an unpark callback
     */
    void unpark(MemorySegment address, UnparkCallback callback);

    /**
     * Wakes every thread parked on {@code address}: {@code _PyParkingLot_UnparkAll}.
     *
     * @param address the address the waiters parked on
     * @throws IllegalArgumentException if the address is heap memory (waiters are keyed by native address)
     * @throws IllegalStateException    when called from an unpark callback (nobody is woken)
     */
    void unparkAll(MemorySegment address);
}
