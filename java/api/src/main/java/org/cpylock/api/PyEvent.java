package org.cpylock.api;

import java.time.Duration;

/**
 * CPython's {@code PyEvent} ({@code Include/internal/pycore_lock.h}): a
 * one-byte event that is set once and never cleared. The state byte is 0
 * (unset), 2 (unset, with parked waiters) or 1 (set).
 */
public interface PyEvent extends InMemory {
    /** Sets the event and wakes every waiter: {@code _PyEvent_Notify}. */
    void set();

    /**
     * Whether the event is set: {@code _PyEvent_IsSet}.
     *
     * @return whether the state byte is 1
     */
    boolean isSet();

    /** Waits until the event is set: {@code PyEvent_Wait}. */
    void await();

    /**
     * Waits at most {@code timeout} for the event, detached: {@code PyEvent_WaitTimed(evt, timeout, 1)}.
     *
     * @param timeout negative: wait without limit; zero: do not wait
     * @return whether the event is set; false once the timeout has passed
     */
    boolean await(Duration timeout);

    /**
     * Waits at most {@code timeout} for the event: {@code PyEvent_WaitTimed(evt, timeout, detach)}.
     *
     * @param timeout negative: wait without limit; zero: do not wait
     * @param detach  whether to detach the thread state while parked (in the free-threaded flavour this
     *                suspends the thread's critical sections for the wait)
     * @return whether the event is set; false once the timeout has passed
     */
    boolean await(Duration timeout, boolean detach);

    /**
     * The state byte {@code v}, read atomically.
     *
     * @return 0 unset, 2 unset with parked waiters, 1 set
     */
    int bits();
}
