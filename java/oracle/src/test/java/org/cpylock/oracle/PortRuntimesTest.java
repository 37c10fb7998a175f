package org.cpylock.oracle;

import org.cpylock.api.CriticalSection;
import org.cpylock.api.Flavour;
import org.cpylock.api.ParkStatus;
import org.cpylock.api.PyMutex;
import org.cpylock.port.Port;
import org.cpylock.tck.Threads;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * What the reference port promises beyond the API: each {@link Port} is a
 * runtime of its own, with its own parking lot and thread states, as two
 * CPython processes are. (cpylock has one runtime per process, as C has
 * one {@code buckets} table and one thread state per thread, so the API
 * leaves this out and the suite cannot check it.) The mutation run selects
 * this class beside the suite and the oracle.
 */
class PortRuntimesTest {
    /** Two ports' waiters on one address are in two parking lots: each unpark sees its own only. */
    @Test
    void twoPortsHaveTwoParkingLots() {
        for (Flavour flavour : Flavour.values()) {
            twoParkingLots(flavour);
        }
    }

    private static void twoParkingLots(Flavour flavour) {
        Port[] ports = {new Port(flavour), new Port(flavour)};
        MemorySegment word = Arena.ofAuto().allocate(4, 4);
        List<Object> woken = new ArrayList<>();
        List<Boolean> more = new ArrayList<>();
        try (Threads threads = new Threads()) {
            for (int i = 0; i < ports.length; i++) {
                Port port = ports[i];
                String name = "parked-in-port-" + i;
                Threads.awaitParked(threads.start(name, () -> assertEquals(ParkStatus.OK,
                        port.parkingLot().park(word, 0, 4, Threads.HANG, name, false))));
            }
            for (Port port : ports) {
                port.parkingLot().unpark(word, (arg, hasMore) -> {
                    woken.add(arg);
                    more.add(hasMore);
                });
            }
        }
        assertEquals(List.of("parked-in-port-0", "parked-in-port-1"), woken, flavour + ": each port woke its own waiter");
        assertEquals(List.of(false, false), more, flavour + ": neither port counted the other's waiter");
    }

    /** A thread's critical sections in one port are not seen, nor suspended, by another. */
    @Test
    void twoPortsHaveTwoThreadStates() {
        Port mine = new Port(Flavour.FREE_THREADED);
        Port other = new Port(Flavour.FREE_THREADED);
        PyMutex mutex = mine.newMutex();
        CriticalSection section = mine.beginCriticalSection(mutex);
        try {
            assertNull(other.topCriticalSection(), "the other port has no section of this thread");
            other.allowThreads(() -> assertEquals(1, mutex.bits(),
                    "the other port's allowThreads suspended this port's section"));
            assertSame(section, mine.topCriticalSection());
        } finally {
            section.end();
        }
        assertEquals(0, mutex.bits());
    }
}
