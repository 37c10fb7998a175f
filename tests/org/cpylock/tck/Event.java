package org.cpylock.tck;

import java.time.Duration;

/** CPython's {@code PyEvent} as the conformance suite drives it. */
public interface Event {
    /** {@code _PyEvent_Notify}. */
    void set();

    /** {@code _PyEvent_IsSet}. */
    boolean isSet();

    /** {@code PyEvent_Wait}. */
    void await();

    /** {@code PyEvent_WaitTimed(evt, timeout, 1)}: whether the event is set. */
    boolean await(Duration timeout);

    /** {@code PyEvent_WaitTimed(evt, timeout, detach)}: whether the event is set. */
    boolean await(Duration timeout, boolean detach);

    /** The state byte {@code v}. */
    int bits();
}
