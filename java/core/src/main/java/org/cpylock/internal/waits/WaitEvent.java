package org.cpylock.internal.waits;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.MemoryAddress;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;
import jdk.jfr.Timespan;

/**
 * A wait in cpylock's slow path that lasted longer than the threshold (20 ms
 * by default, as {@code jdk.JavaMonitorEnter}'s): which primitive, its state
 * word's address and value before and after, how it ended.
 */
@Name("org.cpylock.Wait")
@Label("cpylock Wait")
@Category("cpylock")
@Description("A thread waited in cpylock (a PyMutex, RawMutex, RWMutex, RecursiveMutex, SeqLock, PyEvent, OnceFlag,"
        + " parking-lot park or critical section)")
@Threshold("20 ms")
@StackTrace(true)
final class WaitEvent extends Event {
    @Label("Primitive")
    @Description("The facade class waited on (ParkingLot for a park, CriticalSection for a contended begin)")
    String primitive;

    @Label("Address")
    @MemoryAddress
    @Description("The state word's address")
    long address;

    @Label("State Before")
    @Description("The state word when the wait began")
    long stateBefore;

    @Label("State After")
    @Description("The state word when the wait ended")
    long stateAfter;

    @Label("Outcome")
    @Description("acquired, timed out, interrupted, set, woken, again (a park whose value had changed)")
    String outcome;

    @Label("Detached")
    @Description("Whether the thread state was detached while waiting (its critical sections suspended)")
    boolean detached;

    @Label("Virtual Thread")
    @Description("Whether a virtual thread waited")
    boolean virtualThread;

    @Label("Carrier Pinned")
    @Description("How long a virtual thread waited in native code, pinning its carrier")
    @Timespan(Timespan.NANOSECONDS)
    long carrierPinned;
}
