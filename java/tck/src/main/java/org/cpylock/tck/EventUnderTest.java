package org.cpylock.tck;

import java.time.Duration;

/** CPython's {@code PyEvent} as the conformance suite drives it. */
public interface EventUnderTest extends InMemory {
    /** {@code _PyEvent_Notify}. */
    void set();

    /**
     * {@code _PyEvent_IsSet}.
     *
     * @return whether the state byte is 1 (set)
     */
    boolean isSet();

    /** {@code PyEvent_Wait}. */
    void await();

    /**
     * {@code PyEvent_WaitTimed(evt, timeout, 1)}: whether the event is set.
     *
     * @param timeout negative: wait without limit; zero: do not wait
     * @return whether the event is set; false once the timeout has passed
     */
    boolean await(Duration timeout);

    /**
     * {@code PyEvent_WaitTimed(evt, timeout, detach)}: whether the event is set.
     *
     * @param timeout negative: wait without limit; zero: do not wait
     * @param detach  whether to detach the thread state while parked (in the free-threaded build this
     *                suspends the thread's critical sections for the wait)
     * @return whether the event is set; false once the timeout has passed
     */
    boolean await(Duration timeout, boolean detach);

    /**
     * The state byte {@code v}.
     *
     * @return the state byte: 0 unset, 2 unset with parked waiters, 1 set
     */
    int bits();
}
