package org.cpylock.oracle;

import org.cpylock.CPython;
import org.cpylock.api.Flavour;
import org.cpylock.api.Implementation;
import org.cpylock.port.Port;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Every concurrent schedule with virtual threads on cpylock's side and
 * platform threads on the reference port's: a virtual thread waits as a
 * platform thread does (the same queue order, bits, hand-off and critical
 * sections), in the flavour and backend of this JVM.
 */
class VirtualThreadScheduleTest {
    @Test
    void mutexSchedules() {
        check(Primitive.MUTEX);
    }

    @Test
    void rwMutexSchedules() {
        check(Primitive.RW_MUTEX);
    }

    @Test
    void onceFlagSchedules() {
        check(Primitive.ONCE_FLAG);
    }

    @Test
    void eventSchedules() {
        check(Primitive.EVENT);
    }

    @Test
    void parkingLotSchedules() {
        check(Primitive.PARKING_LOT);
    }

    @Test
    void criticalSectionSchedules() {
        assumeFalse(CPython.interpreter().isPresent() && CPython.flavour() == Flavour.FREE_THREADED,
                "bound to a free-threaded interpreter, virtual threads hold no critical sections");
        check(Primitive.CRITICAL_SECTIONS);
    }

    private static void check(Primitive primitive) {
        Implementation reference = CPython.implementation();
        Oracle oracle = new Oracle(reference, new Port(reference.flavour()))
                .withVirtualReferenceThreads();
        for (Schedule schedule : Schedules.of(primitive)) {
            oracle.compare(schedule).ifPresent(divergence -> {
                throw new AssertionError(divergence.toString());
            });
        }
    }
}
