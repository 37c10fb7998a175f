package org.cpylock.internal.waits;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.MemoryAddress;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * An unlock that handed a {@code PyMutex} to a waiter that had waited over
 * 1 ms: CPython's fairness rule (the byte stayed locked through the unlock).
 */
@Name("org.cpylock.Handoff")
@Label("cpylock Handoff")
@Category("cpylock")
@Description("A PyMutex unlock handed the mutex directly to a waiter parked over 1 ms")
@StackTrace(false)
final class HandoffEvent extends Event {
    @Label("Address")
    @MemoryAddress
    @Description("The mutex byte's address")
    long address;

    @Label("State After")
    @Description("The byte after the unlock: 1, or 3 with more waiters")
    long stateAfter;
}
