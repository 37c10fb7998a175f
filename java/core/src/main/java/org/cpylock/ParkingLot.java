package org.cpylock;

import org.cpylock.api.ParkStatus;
import org.cpylock.api.ParkingLot.UnparkCallback;
import org.cpylock.internal.CPythonConstants;
import org.cpylock.internal.Exceptions;
import org.cpylock.internal.Native;
import org.cpylock.internal.NativeLibrary;
import org.cpylock.internal.ParkArguments;
import org.cpylock.internal.Segments;
import org.cpylock.internal.ThreadState;
import org.cpylock.internal.Timeouts;
import org.cpylock.internal.Upcalls;
import org.cpylock.internal.waits.Waits;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Objects;

/**
 * CPython's parking lot ({@code Include/internal/pycore_parking_lot.h},
 * {@code Python/parking_lot.c}): threads wait on addresses, woken by address.
 * Every other primitive here (except {@link RawMutex} and {@link SeqLock})
 * waits through it.
 *
 * <h2>State</h2>
 * A fixed table of 257 buckets, chosen by address modulo 257; each bucket is
 * a {@code _PyRawMutex} and a queue of the threads parked on its addresses, in
 * arrival order. {@link #park} compares the value at the address with the
 * expected one under the bucket lock, so a wake-up sent after the value
 * changed is never lost. {@link #unpark} takes the oldest waiter on the
 * address and calls the callback, still under the bucket lock, before waking
 * it. The table belongs to the flavour's library: one per JVM.
 *
 * <p>The callback runs while a bucket lock is held: it must be short and must
 * not wait, or call into the parking lot (the facade refuses calls from
 * inside it with {@link IllegalStateException}).
 */
public final class ParkingLot {
    private ParkingLot() {
    }


    /**
     * Parks the calling thread on {@code address} if the {@code size}-byte
     * value there equals {@code expected}, until it is unparked or the timeout
     * passes. {@code _PyParkingLot_Park} ({@code Python/parking_lot.c}).
     *
     * @param address  where to park: live native memory of at least {@code size}
     *                 bytes, aligned to {@code size}
     * @param expected the value the thread waits to see changed: an integer that
     *                 fits in {@code size} bytes (signed or unsigned)
     * @param size     1, 2, 4 or 8
     * @param timeout  negative: no limit; zero: check the value and return
     * @param parkArg  any object, handed to the callback of the {@link #unpark} that wakes this thread
     * @param detach   whether to detach the thread state while parked (suspending the
     *                 thread's critical sections in the free-threaded flavour)
     * @return {@link ParkStatus#OK} when unparked (bound to an interpreter, also when an
     *         interrupt of a thread parked behind it on {@code address} unparked it on the
     *         way), {@link ParkStatus#AGAIN} if the value
     *         differed (the thread did not park), {@link ParkStatus#TIMEOUT},
     *         {@link ParkStatus#INTERRUPTED} if the thread was interrupted before or while
     *         parked (its interrupt status stays set, as with {@code LockSupport.park}; a value
     *         that differs is {@link ParkStatus#AGAIN} all the same);
     *         an interrupt ends the wait within a few milliseconds
     * @throws IllegalArgumentException for a size other than 1, 2, 4, 8, a value that does
     *         not fit, or unusable memory (heap, too small, misaligned)
     * @throws IllegalStateException if the memory's arena is closed, or when called from
     *         an unpark callback
     */
    public static ParkStatus park(MemorySegment address, long expected, int size, Duration timeout,
                                  Object parkArg, boolean detach) {
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            throw new IllegalArgumentException("ParkingLot.park: size must be 1, 2, 4 or 8 bytes, not " + size);
        }
        if (size < 8) {
            long unsignedMax = (1L << (8 * size)) - 1;
            long signedMin = -(1L << (8 * size - 1));
            if (expected < signedMin || expected > unsignedMax) {
                throw new IllegalArgumentException("ParkingLot.park: expected value " + expected + " does not fit in "
                        + size + " bytes");
            }
        }
        Segments.requireUsable(address, size, size, "ParkingLot.park");
        long timeoutNs = Timeouts.toPyTimeout(timeout);
        ThreadState thread = enter("park");
        if (Thread.currentThread().isInterrupted()) {
            // C compares the value first; an interrupt shows only in the wait that follows.
            long mask = size == 8 ? -1L : (1L << (8 * size)) - 1;
            return value(address, size) == (expected & mask) ? ParkStatus.INTERRUPTED : ParkStatus.AGAIN;
        }
        Waits.Token wait = Waits.begin(Wait.Primitive.PARKING_LOT, address.address(), () -> value(address, size), detach,
                Waits.flags(detach, false, timeoutNs >= 0));
        ParkStatus status = CPythonConstants.parkStatus(ParkArguments.park(thread, address, expected, size, timeoutNs, parkArg,
                detach));
        Waits.end(wait, switch (status) {
            case OK -> Waits.Outcome.WOKEN;
            case TIMEOUT -> Waits.Outcome.TIMED_OUT;
            case AGAIN -> Waits.Outcome.AGAIN;
            case INTERRUPTED -> Waits.Outcome.INTERRUPTED;
        });
        return status;
    }

    /** The unsigned {@code size}-byte value at {@code address} (for what reports waits). */
    private static long value(MemorySegment address, int size) {
        return switch (size) {
            case 1 -> Byte.toUnsignedLong(address.get(ValueLayout.JAVA_BYTE, 0));
            case 2 -> Short.toUnsignedLong(address.get(ValueLayout.JAVA_SHORT, 0));
            case 4 -> Integer.toUnsignedLong(address.get(ValueLayout.JAVA_INT, 0));
            default -> address.get(ValueLayout.JAVA_LONG, 0);
        };
    }

    /**
     * Wakes the thread that has waited longest on {@code address}, if any,
     * after calling {@code callback} under the bucket lock with that thread's
     * park argument. {@code _PyParkingLot_Unpark} ({@code Python/parking_lot.c}).
     *
     * @param address  the address the waiters parked on: native memory, whose contents are not read
     * @param callback given the woken waiter's park argument and whether others still wait; the argument
     *                 of a waiter that C code parked (a {@code PyMutex} waiter, say) is its
     *                 {@code park_arg} pointer, as a zero-length segment
     * @throws IllegalArgumentException if the memory is not native
     * @throws IllegalStateException    if its arena is closed, or when called from an unpark callback
     * @throws RuntimeException         (or {@link Error}) what the callback threw, after the
     *                                  waiter was woken all the same
     */
    public static void unpark(MemorySegment address, UnparkCallback callback) {
        Objects.requireNonNull(callback, "callback");
        Segments.requireUsable(address, 0, 1, "ParkingLot.unpark");
        ThreadState thread = enter("unpark");
        Throwable failure = Upcalls.unpark(thread, address, callback::onUnpark);
        if (failure != null) {
            throw Exceptions.<RuntimeException>rethrow(failure);
        }
    }

    /**
     * Wakes every thread parked on {@code address}.
     * {@code _PyParkingLot_UnparkAll} ({@code Python/parking_lot.c}).
     *
     * @param address the address the threads parked on: native memory, whose contents are not read
     * @throws IllegalArgumentException if the memory is not native
     * @throws IllegalStateException    if its arena is closed, or when called from an unpark callback
     */
    public static void unparkAll(MemorySegment address) {
        Segments.requireUsable(address, 0, 1, "ParkingLot.unparkAll");
        enter("unparkAll");
        Native.parkingLotUnparkAll(address);
    }

    /**
     * The parking lot's part of a fork: {@code _PyParkingLot_AfterFork}
     * ({@code Python/parking_lot.c}) empties every bucket in a freshly forked
     * child, where the threads that were parked do not exist. A JVM does not
     * fork (a child process starts with {@code exec}), so every thread in a
     * bucket is alive, and a bucket holds a thread only while that thread is
     * inside a wait: with no wait in progress there is nothing to empty, and
     * with one, emptying its bucket would lose the waiter and corrupt the
     * bucket. So this method makes no C call: it returns when no thread waits
     * in cpylock, and refuses otherwise.
     *
     * @throws IllegalStateException while any thread waits in cpylock, or when bound to an interpreter, whose
     *         parking lot it is
     */
    public static void afterFork() {
        enter("afterFork");
        if (NativeLibrary.isInterpreter()) {
            throw new IllegalStateException("ParkingLot.afterFork: bound to an interpreter, the parking lot is the"
                    + " interpreter's, which empties it itself in a forked child (PyOS_AfterFork_Child)");
        }
        if (Waits.anyInProgress()) {
            throw new IllegalStateException("ParkingLot.afterFork: threads are waiting in the parking lot; they are"
                    + " alive (a JVM does not fork), and emptying their buckets would lose them");
        }
    }

    private static ThreadState enter(String method) {
        NativeLibrary.ensureLoaded();
        ThreadState thread = ThreadState.current();
        if (thread.isInUnparkCallback()) {
            throw new IllegalStateException("ParkingLot." + method + ": called from an unpark callback, which runs"
                    + " under a bucket lock");
        }
        return thread;
    }
}
