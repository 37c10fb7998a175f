package org.cpylock;

import org.cpylock.internal.LockC;
import org.cpylock.internal.Native;
import org.cpylock.internal.NativeSlots;
import org.cpylock.internal.OwnedMemory;
import org.cpylock.internal.OwnedStateWord;
import org.cpylock.internal.Proxies;
import org.cpylock.internal.StateWord;
import org.cpylock.internal.ThreadState;
import org.cpylock.internal.Timeouts;
import org.cpylock.internal.waits.Waits;

import java.lang.foreign.MemorySegment;
import java.time.Duration;

import static org.cpylock.internal.CPythonConstants.LOCKED;

/**
 * CPython's {@code PyEvent} ({@code Include/internal/pycore_lock.h},
 * {@code Python/lock.c}): a one-time event that threads can wait for.
 *
 * <h2>State word</h2>
 * One byte, {@code v}:
 * <pre>
 *   0  not set
 *   1  set                                   (_Py_LOCKED)
 *   2  not set, threads parked waiting on it (_Py_HAS_PARKED)
 * </pre>
 * A waiter that finds 0 sets 2 and parks under the byte's address;
 * {@link #set()} stores 1 and, if it replaced 2, wakes every parked waiter.
 * Once set, the event stays set; setting it again changes nothing.
 *
 * <p>{@code set()} is CPython's {@code _PyEvent_Notify}; the Java name avoids
 * {@link Object#notify()}. The memory is zero-initialized and released once
 * the event is unreachable (never while a thread waits on it).
 *
 * <p>A virtual thread waits in native code, pinning its carrier, only while
 * another carrier stays free of such waits; otherwise it waits in Java until
 * it sees the event set, without setting {@code _Py_HAS_PARKED} (see
 * docs/RELIABILITY.md).
 */
public final class PyEvent extends OwnedState implements org.cpylock.api.PyEvent {


    /** A new event, not set: zeroed memory, as CPython's {@code PyEvent evt = {0}}; no C call. */
    public PyEvent() {
        super(NativeSlots.WORDS);
    }

    /**
     * Sets the event and wakes every thread waiting for it: {@code _PyEvent_Notify}
     * ({@code Python/lock.c}). Setting a set event does nothing.
     */
    public void set() {
        Native.eventNotify(segment());
    }

    /**
     * Whether the event is set: {@code _PyEvent_IsSet} ({@code Python/lock.c}),
     * read from Java ({@code v == 1}).
     *
     * @return whether the state byte is 1; once true, it stays true
     */
    public boolean isSet() {
        return bits() == LOCKED;
    }

    /**
     * Waits until the event is set, detaching the thread state while parked:
     * {@code PyEvent_Wait} ({@code Python/lock.c}), which repeats
     * {@code PyEvent_WaitTimed(evt, -1, 1)} until the event is set. Not
     * interruptible.
     */
    public void await() {
        waitNanos(-1, true);
    }

    /**
     * Waits until the event is set or {@code timeout} has passed, detaching
     * the thread state while parked: {@code PyEvent_WaitTimed(evt, timeout, 1)}
     * ({@code Python/lock.c}); see {@link #await(Duration, boolean)}.
     *
     * @param timeout negative: no limit; zero: do not wait
     * @return whether the event is set
     */
    public boolean await(Duration timeout) {
        return await(timeout, true);
    }

    /**
     * Waits until the event is set or {@code timeout} has passed:
     * {@code PyEvent_WaitTimed} ({@code Python/lock.c}). That function also
     * returns early when a signal (a profiler's, say) ends its park; the wait
     * then goes on for the time left, as {@code PyEvent_Wait} goes on for an
     * unlimited one, so false means the timeout passed. Not interruptible.
     *
     * @param timeout negative: no limit; zero: do not wait
     * @param detach  whether to detach the thread state while parked (which, in
     *                the free-threaded flavour, suspends the thread's critical
     *                sections for the duration of the wait)
     * @return whether the event is set; false once the timeout has passed
     */
    public boolean await(Duration timeout, boolean detach) {
        return waitNanos(Timeouts.toPyTimeout(timeout), detach);
    }

    /** {@code PyEvent_WaitTimed}, repeated until the event is set or the timeout (-1: none) has passed. */
    private boolean waitNanos(long timeoutNs, boolean detach) {
        if (isSet()) {
            return true;
        }
        Waits.Token wait = Waits.begin(Wait.Primitive.PY_EVENT, address, this::bits, detach, Waits.flags(detach, false, timeoutNs >= 0));
        boolean set = waitTimed(ThreadState.current(), timeoutNs, detach);
        Waits.end(wait, set ? Waits.Outcome.SET : Waits.Outcome.TIMED_OUT);
        return set;
    }

    /**
     * {@code PyEvent_WaitTimed} until the event is set or the time is up (one
     * call may end early, unset): in C, or, on a thread that waits in Java (a
     * virtual thread), {@link LockC#eventWaitTimed}.
     */
    private boolean waitTimed(ThreadState thread, long timeoutNs, boolean detach) {
        boolean inJava = ThreadState.waitsInJava();
        MemorySegment event = segment();
        StateWord word = inJava ? new OwnedStateWord(this, address, event, 1) : null;
        long deadline = Timeouts.deadline(System.nanoTime(), Math.max(0, timeoutNs));
        while (!(inJava ? LockC.eventWaitTimed(thread, word, timeoutNs, detach)
                : waitTimedInC(thread, event, timeoutNs, detach))) {
            if (timeoutNs >= 0) {
                timeoutNs = deadline - System.nanoTime();
                if (timeoutNs <= 0) {
                    return false;
                }
            }
        }
        return true;
    }

    /** {@code PyEvent_WaitTimed} in C (through a {@link Proxies proxy} if the thread needs one). */
    private static boolean waitTimedInC(ThreadState thread, MemorySegment event, long timeoutNs, boolean detach) {
        return Proxies.await(() -> Native.eventWaitTimed(thread.segment(), event, timeoutNs, detach) ? 1 : 0) != 0;
    }

    /**
     * The state byte {@code PyEvent.v} ({@code Include/internal/pycore_lock.h}), 0 to 2, read atomically; no C
     * call.
     *
     * @return the state byte, 0 to 2
     */
    public int bits() {
        return OwnedMemory.getByteVolatile(this, address);
    }

    /**
     * The {@code PyEvent} ({@code Include/internal/pycore_lock.h}) as a segment (it keeps the event's memory
     * alive).
     *
     * @return a one-byte slice of the event's memory, at its state byte
     */
    public MemorySegment segment() {
        return slot(1);
    }

    @Override
    public String toString() {
        return "PyEvent[bits=" + bits() + Waits.describeWaiters(address) + "]";
    }
}
