package org.cpylock.port;

import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * CPython's {@code PyEvent} ({@code Include/internal/pycore_lock.h},
 * {@code Python/lock.c}): a one-time notification that threads wait for.
 *
 * <h2>State word</h2>
 * One byte, {@code v}:
 * <pre>
 *   0  not set                               (_Py_UNLOCKED)
 *   1  set                                   (_Py_LOCKED)
 *   2  not set, threads parked waiting on it (_Py_HAS_PARKED)
 * </pre>
 * A waiter that finds 0 stores 2 and parks on the byte; {@link #set()} stores
 * 1 and, if it replaced 2, wakes every parked thread. A wait that times out
 * leaves 2 behind, as in CPython. Once set, the event stays set.
 */
public final class PyEvent implements org.cpylock.api.PyEvent {
    /*
     * Implementation notes: set() is _PyEvent_Notify (an exchange with 1,
     * then _PyParkingLot_UnparkAll if the old value was 2); waitTimed is
     * PyEvent_WaitTimed: one park, then whether the byte reads 1. C's
     * callers loop around it (PyEvent_Wait repeats it forever); the timed
     * await does the same for the time left, so that a park ended early (an
     * interrupt here, a signal in C) does not end the wait: false means the
     * timeout passed. An interrupt is set aside while waiting and set again on
     * return; the waits are not interruptible.
     */

    private static final int UNLOCKED = 0;
    private static final int LOCKED = 1;
    private static final int HAS_PARKED = 2;

    private final Port port;
    private final AtomicWord v;

    PyEvent(Port port, AtomicWord v) {
        this.port = port;
        this.v = v;
    }

    /**
     * Sets the event and wakes every waiting thread; setting a set event does
     * nothing. {@code _PyEvent_Notify} ({@code Python/lock.c}).
     */
    public void set() {
        long previous = v.getAndSet(LOCKED);
        if (previous == UNLOCKED || previous == LOCKED) {
            return; // nobody waits, or already set
        }
        port.parkingLot().unparkAll(v.address());
    }

    /**
     * {@code _PyEvent_IsSet} ({@code Python/lock.c}).
     *
     * @return whether the state byte is 1
     */
    public boolean isSet() {
        return v.get() == LOCKED;
    }

    /**
     * Waits, detached, until the event is set; not interruptible.
     * {@code PyEvent_Wait} ({@code Python/lock.c}).
     */
    public void await() {
        boolean interrupted = false;
        try {
            while (!waitTimed(Timeouts.FOREVER, true)) {
                interrupted |= Interrupts.absorb();
            }
        } finally {
            Interrupts.restore(interrupted);
        }
    }

    /**
     * Waits, detached, until the event is set or the timeout passes.
     * {@code PyEvent_WaitTimed(evt, timeout, 1)} ({@code Python/lock.c}); see
     * {@link #await(Duration, boolean)}.
     *
     * @param timeout negative: no limit; zero: do not wait
     * @return whether the event is set
     */
    public boolean await(Duration timeout) {
        return await(timeout, true);
    }

    /**
     * Waits until the event is set or the timeout passes; not interruptible.
     * {@code PyEvent_WaitTimed} ({@code Python/lock.c}), repeated for the time
     * left when a park ends before the timeout without the event being set.
     *
     * @param timeout negative: no limit; zero: do not wait
     * @param detach  whether to detach the thread state while parked (free-threaded: suspending its
     *                critical sections for the wait)
     * @return whether the event is set; false once the timeout has passed
     */
    public boolean await(Duration timeout, boolean detach) {
        long timeoutNs = Timeouts.toPyTimeout(timeout);
        long deadline = Timeouts.deadline(Timeouts.monotonic(), Math.max(0, timeoutNs));
        boolean interrupted = false;
        try {
            while (!waitTimed(timeoutNs, detach)) {
                interrupted |= Interrupts.absorb();
                if (timeoutNs >= 0) {
                    timeoutNs = Timeouts.remaining(deadline);
                    if (timeoutNs <= 0) {
                        return false;
                    }
                }
            }
            return true;
        } finally {
            Interrupts.restore(interrupted);
        }
    }

    /**
     * The state byte {@code PyEvent.v} ({@code Include/internal/pycore_lock.h}), read atomically.
     *
     * @return 0 (not set), 2 (not set, threads parked) or 1 (set)
     */
    public int bits() {
        return (int) v.get();
    }

    /**
     * The {@code PyEvent} ({@code Include/internal/pycore_lock.h}) as memory, laid out as the C type, for comparing
     * with C byte for byte (no CPython function).
     *
     * @return the one byte of the event
     */
    public MemorySegment segment() {
        return v.slice();
    }

    @Override
    public String toString() {
        return "PyEvent[v=" + bits() + "]";
    }

    /** {@code PyEvent_WaitTimed} ({@code Python/lock.c}, line 276): one park, then whether the event is set. */
    boolean waitTimed(long timeout, boolean detach) {
        for (;;) {
            long current = v.get();
            if (current == LOCKED) {
                return true;
            }
            if (current == UNLOCKED && !v.compareAndSet(UNLOCKED, HAS_PARKED)) {
                continue;
            }
            port.parkingLot().park(v, HAS_PARKED, timeout, null, detach);
            return v.get() == LOCKED;
        }
    }
}
