package org.cpylock.oracle;

import org.cpylock.CPython;
import org.cpylock.api.CriticalSection;
import org.cpylock.api.Flavour;
import org.cpylock.api.Implementation;
import org.cpylock.api.OnceFlag;
import org.cpylock.api.ParkingLot;
import org.cpylock.api.PyEvent;
import org.cpylock.api.PyMutex;
import org.cpylock.api.RWMutex;
import org.cpylock.api.RawMutex;
import org.cpylock.api.RecursiveMutex;
import org.cpylock.api.SeqLock;
import org.cpylock.port.Port;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The plain API: seeded runs, replays, and the report of a port that is wrong. */
class OracleApiTest {
    private static final Implementation REFERENCE = CPython.implementation();

    private static Implementation port() {
        return new Port(REFERENCE.flavour());
    }

    @Test
    void theReferencePortAgreesOnSeededRunsOfEveryPrimitive() {
        Oracle oracle = new Oracle(REFERENCE, port());
        for (Primitive primitive : Primitive.values()) {
            Optional<Divergence> divergence = oracle.run(primitive, 20261202L, 50);
            assertTrue(divergence.isEmpty(), () -> divergence.orElseThrow().toString());
        }
    }

    @Test
    void aWrongEventIsReportedAtItsFirstStepWithBothStateWords() {
        Oracle oracle = new Oracle(REFERENCE, new EventThatNeverSets(port(), new CopyOnWriteArrayList<>()));
        Program program = new Program(Primitive.EVENT, 1,
                List.of(new Step(Op.EVENT_IS_SET, 0), new Step(Op.EVENT_SET, 0), new Step(Op.EVENT_IS_SET, 0)));
        Divergence divergence = oracle.compare(program).orElseThrow();
        assertEquals(1, divergence.step());
        assertEquals("v=1", divergence.expectedState());
        assertEquals("v=0", divergence.actualState());
        assertEquals("oracle", divergence.thread());
        assertTrue(divergence.toString().contains("EVENT_SET(0)"), divergence.toString());
    }

    @Test
    void aSeedThatDivergesReplaysToTheSameDivergence() {
        Oracle oracle = new Oracle(REFERENCE, new EventThatNeverSets(port(), new CopyOnWriteArrayList<>()));
        Divergence first = oracle.run(Primitive.EVENT, 7L, 50).orElseThrow();
        Divergence again = oracle.replay(Primitive.EVENT, first.seed()).orElseThrow();
        assertEquals(first, again);
        assertEquals(Programs.fromSeed(Primitive.EVENT, first.seed()).toString(), again.program());
    }

    @Test
    void aScheduleDivergenceNamesTheMoveAndWhatEveryThreadDid() {
        EventThatNeverSets wrong = new EventThatNeverSets(port(), new CopyOnWriteArrayList<>());
        Schedule schedule = Schedules.named("setting an event wakes every waiter");
        Divergence divergence;
        try {
            divergence = new Oracle(REFERENCE, wrong).compare(schedule).orElseThrow();
        } finally {
            wrong.release();
        }
        assertEquals(2, divergence.step());
        assertEquals("T2", divergence.thread());
        assertEquals("T0: set; T1: set; T2: isSet=true", divergence.expectedOutcome());
        assertEquals("T0 waits; T1 waits; T2: isSet=false", divergence.actualOutcome());
        assertTrue(divergence.expectedState().contains("event=1"), divergence.expectedState());
        assertTrue(divergence.actualState().contains("event=2"), divergence.actualState());
        assertTrue(divergence.replay().contains(schedule.name()), divergence.replay());
    }

    @Test
    void schedulesAreCheckedWhenBuilt() {
        assertThrows(IllegalArgumentException.class,
                () -> Schedule.of(Primitive.MUTEX, "thread out of range", 1).then(1, "lock", (f, t) -> ""));
        assertThrows(IllegalArgumentException.class,
                () -> Schedule.of(Primitive.MUTEX, "at once first", 1).thenAtOnce(0, "lock", (f, t) -> ""));
        assertThrows(IllegalArgumentException.class,
                () -> Schedule.of(Primitive.MUTEX, "at once after a pause", 1).then(0, "a", (f, t) -> "")
                        .pause(1).thenAtOnce(0, "b", (f, t) -> ""));
    }

    @Test
    void portsOfDifferentBuildsAreRefused() {
        Implementation other = new Port(REFERENCE.freeThreaded() ? Flavour.DEFAULT : Flavour.FREE_THREADED);
        assertThrows(IllegalArgumentException.class, () -> new Oracle(REFERENCE, other));
    }

    /**
     * A port whose events ignore set(): the kind of bug the oracle is for.
     * {@link #release} sets the events for real, so that no thread stays
     * parked in the port's parking lot after a test.
     */
    private record EventThatNeverSets(Implementation port, List<PyEvent> created) implements Implementation {
        void release() {
            created.forEach(PyEvent::set);
        }

        @Override
        public String name() {
            return "event that never sets";
        }

        @Override
        public Flavour flavour() {
            return port.flavour();
        }

        @Override
        public PyMutex newMutex() {
            return port.newMutex();
        }

        @Override
        public PyMutex mutexAt(MemorySegment segment, long offset) {
            return port.mutexAt(segment, offset);
        }

        @Override
        public PyEvent newEvent() {
            PyEvent event = port.newEvent();
            created.add(event);
            return new PyEvent() {
                @Override
                public MemorySegment segment() {
                    return event.segment();
                }

                @Override
                public void set() {
                }

                @Override
                public boolean isSet() {
                    return event.isSet();
                }

                @Override
                public void await() {
                    event.await();
                }

                @Override
                public boolean await(Duration timeout) {
                    return event.await(timeout);
                }

                @Override
                public boolean await(Duration timeout, boolean detach) {
                    return event.await(timeout, detach);
                }

                @Override
                public int bits() {
                    return event.bits();
                }
            };
        }

        @Override
        public RawMutex newRawMutex() {
            return port.newRawMutex();
        }

        @Override
        public RWMutex newRWMutex() {
            return port.newRWMutex();
        }

        @Override
        public RecursiveMutex newRecursiveMutex() {
            return port.newRecursiveMutex();
        }

        @Override
        public SeqLock newSeqLock() {
            return port.newSeqLock();
        }

        @Override
        public OnceFlag newOnceFlag() {
            return port.newOnceFlag();
        }

        @Override
        public ParkingLot parkingLot() {
            return port.parkingLot();
        }

        @Override
        public CriticalSection beginCriticalSection(PyMutex mutex) {
            return port.beginCriticalSection(mutex);
        }

        @Override
        public CriticalSection beginCriticalSection(PyMutex first, PyMutex second) {
            return port.beginCriticalSection(first, second);
        }

        @Override
        public CriticalSection topCriticalSection() {
            return port.topCriticalSection();
        }

        @Override
        public void allowThreads(Runnable action) {
            port.allowThreads(action);
        }
    }
}
