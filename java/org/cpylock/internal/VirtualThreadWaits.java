package org.cpylock.internal;

import org.cpylock.Flavour;
import org.cpylock.internal.waits.Waits;

import java.util.concurrent.locks.LockSupport;

/**
 * How a virtual thread waits for a {@code PyMutex} or a {@code PyEvent}
 * without occupying the scheduler's last carrier.
 *
 * <p>Implementation notes. A virtual thread waiting in native code is pinned
 * to its carrier, and the JDK's scheduler adds no carrier for it; with P
 * carriers ({@code jdk.virtualThreadScheduler.parallelism}, by default the
 * number of processors), P virtual threads waiting in native code at once
 * stop every other virtual thread, the one that would wake them included.
 * So a virtual thread's wait here has three phases:
 * <ol>
 * <li>the spinning phase of {@code _PyMutex_LockTimed} ({@code Python/lock.c}:
 *     up to {@code MAX_SPIN_COUNT} attempts while no thread is parked on the
 *     byte; 40 in the free-threaded flavour, none in the default one) runs
 *     in Java and yields the virtual thread between attempts, not the
 *     carrier;</li>
 * <li>then the thread waits in native code, exactly as a platform thread
 *     does, provided at least one carrier stays free of native waits
 *     ({@link Waits#tryPin}: every virtual thread's native wait counts,
 *     whatever the primitive);</li>
 * <li>otherwise it waits in Java: it makes the attempt CPython's loop makes
 *     (take an unlocked mutex, 0 to 1 or 2 to 3; find the event set) between
 *     parks of the virtual thread that grow from 10 µs to 1 ms, and goes to
 *     native code as soon as a carrier may be pinned. Around each park it
 *     detaches its thread state if the wait detaches, as
 *     {@code _PyParkingLot_Park} does around its sleep.</li>
 * </ol>
 * The state byte passes only through CPython's own values and transitions. A
 * waiter in Java is not in the parking lot: it does not set
 * {@code _Py_HAS_PARKED}, and an unlock does not hand the mutex to it.
 * Interrupts and timeouts end a wait in Java as they end a native one.
 */
public final class VirtualThreadWaits {
    /** What one kind of wait does: its attempt, and its wait in native code. */
    public interface Target {
        /** One attempt that never waits: true when the wait is over (the mutex taken, the event seen set). */
        boolean attempt();

        /**
         * Whether the wait may spin now: {@code _PyMutex_LockTimed} spins
         * while nobody is parked on the byte. Waits that never spin keep the default.
         */
        default boolean maySpin() {
            return false;
        }

        /**
         * The wait in native code, for at most {@code timeoutNs} (negative:
         * no limit), as a platform thread makes it; how it ended.
         */
        Waits.Outcome waitInC(long timeoutNs);
    }

    /** {@code MAX_SPIN_COUNT} of {@code Python/lock.c} in the free-threaded flavour (0 in the default one). */
    private static final int FREE_THREADED_SPIN_COUNT = 40;
    private static final long FIRST_PARK_NS = 10_000;
    private static final long LONGEST_PARK_NS = 1_000_000;

    private VirtualThreadWaits() {
    }

    /**
     * A wait begun by {@link Waits#beginInJava}: a platform thread's is
     * {@link Target#waitInC}; a virtual thread's is as the class comment says.
     *
     * @param timeoutNs     negative: no limit
     * @param interruptible whether an interrupt ends the wait ({@code INTERRUPTED}, the status kept);
     *                      otherwise an interrupt is kept for after the wait
     * @param detach        whether the thread state is detached while the thread sleeps
     * @param done          the outcome of a successful attempt
     */
    public static Waits.Outcome await(Waits.Token wait, Target target, long timeoutNs, boolean interruptible,
                                      boolean detach, Waits.Outcome done) {
        if (!wait.isVirtual()) {
            return target.waitInC(timeoutNs);
        }
        int spinsLeft = NativeLibrary.ensureLoaded() == Flavour.FREE_THREADED ? FREE_THREADED_SPIN_COUNT : 0;
        for (; spinsLeft > 0 && target.maySpin(); spinsLeft--) {
            if (target.attempt()) {
                return done;
            }
            Thread.yield();
        }
        long deadline = Timeouts.deadline(System.nanoTime(), Math.max(0, timeoutNs));
        long park = FIRST_PARK_NS;
        boolean interruptKept = false;
        try {
            for (;;) {
                if (target.attempt()) {
                    return done;
                }
                long left = timeoutNs < 0 ? -1 : Math.max(0, deadline - System.nanoTime());
                if (Waits.tryPin(wait)) {
                    try {
                        return target.waitInC(left);
                    } finally {
                        Waits.unpin(wait);
                    }
                }
                if (left == 0) {
                    return Waits.Outcome.TIMED_OUT;
                }
                if (Thread.currentThread().isInterrupted()) {
                    if (interruptible) {
                        return Waits.Outcome.INTERRUPTED;
                    }
                    interruptKept = Thread.interrupted();
                }
                sleep(left < 0 ? park : Math.min(park, left), detach);
                park = Math.min(2 * park, LONGEST_PARK_NS);
            }
        } finally {
            if (interruptKept) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void sleep(long nanos, boolean detach) {
        ThreadState thread = ThreadState.current();
        if (!detach || !thread.isAttached()) {
            LockSupport.parkNanos(nanos);
            return;
        }
        // A detach that cannot suspend the sections leaves them held, as the
        // bundled library's own waits do.
        thread.detach();
        try {
            LockSupport.parkNanos(nanos);
        } finally {
            thread.attach();
        }
    }
}
