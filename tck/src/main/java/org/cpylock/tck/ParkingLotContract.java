package org.cpylock.tck;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The parking lot: a thread parks on an address if the value there is what
 * it expects; an unpark wakes the longest waiting thread on that address,
 * handing its park argument to a callback first.
 */
public interface ParkingLotContract extends ImplementationProvider {
    /** A value that differs from the expected one: AGAIN at once, for every size. */
    @Test
    default void parkReturnsAgainWhenTheValueDiffers() {
        ParkingLotUnderTest lot = implementation().parkingLot();
        for (int size : new int[]{1, 2, 4, 8}) {
            ParkingLotUnderTest.Word word = lot.newWord(size);
            word.set(5);
            assertEquals(ParkResult.AGAIN, lot.park(word, 6, Threads.HANG, null, false), "size " + size);
            assertEquals(5, word.get());
        }
    }

    /** The expected value and nobody to unpark: TIMEOUT, not before the timeout; at once for zero. */
    @Test
    default void parkTimesOut() {
        ParkingLotUnderTest lot = implementation().parkingLot();
        ParkingLotUnderTest.Word word = lot.newWord(4);
        long start = System.nanoTime();
        assertEquals(ParkResult.TIMEOUT, lot.park(word, 0, Duration.ofMillis(20), null, false));
        long elapsed = System.nanoTime() - start;
        assertTrue(elapsed >= Duration.ofMillis(15).toNanos(), "returned after " + elapsed + " ns");
        assertEquals(ParkResult.TIMEOUT, lot.park(word, 0, Duration.ZERO, null, false));
        ParkingLotUnderTest.Word wide = lot.newWord(8);
        wide.set(-1);
        assertEquals(ParkResult.TIMEOUT, lot.park(wide, -1, Duration.ofMillis(1), null, false),
                "a 64-bit value with every bit set");
    }

    /** Unpark hands the parked thread's argument to the callback (no more waiters), then wakes it: OK. */
    @Test
    default void unparkHandsTheParkArgumentToTheCallback() {
        ParkingLotUnderTest lot = implementation().parkingLot();
        ParkingLotUnderTest.Word word = lot.newWord(4);
        Object argument = new Object();
        AtomicReference<ParkResult> status = new AtomicReference<>();
        AtomicReference<Object> received = new AtomicReference<>();
        AtomicReference<Boolean> hasMore = new AtomicReference<>();
        try (Threads threads = new Threads()) {
            Thread parker = threads.start("parker", () -> status.set(lot.park(word, 0, Threads.HANG, argument, false)));
            Threads.awaitParked(parker);
            lot.unpark(word, (arg, more) -> {
                received.set(arg);
                hasMore.set(more);
            });
        }
        assertSame(argument, received.get());
        assertFalse(hasMore.get());
        assertEquals(ParkResult.OK, status.get());
    }

    /**
     * A waiter whose timeout expires after an unparker has taken it out of
     * the queue waits for that wake-up and reports it, {@code Py_PARK_OK}
     * ({@code _PyParkingLot_Park}, {@code Python/parking_lot.c}): the unpark
     * callback outlasts the waiter's timeout, so the race goes the same way
     * in every attempt. An attempt in which the unpark found nobody queued
     * yet (its callback saw no park argument) decides nothing and is made
     * again.
     */
    @Test
    default void aTimeoutThatFiresAfterTheUnparkTookTheWaiterReportsTheWakeUp() {
        ParkingLotUnderTest lot = implementation().parkingLot();
        Duration timeout = Duration.ofMillis(100 + 4 * Threads.QUEUE_MILLIS);
        for (int attempt = 0; attempt < 5; attempt++) {
            ParkingLotUnderTest.Word word = lot.newWord(4);
            Object argument = new Object();
            AtomicReference<ParkResult> status = new AtomicReference<>();
            AtomicReference<Object> received = new AtomicReference<>();
            long[] callbackEnded = new long[1];
            long[] parkReturned = new long[1];
            try (Threads threads = new Threads()) {
                Thread parker = threads.start("parker", () -> {
                    status.set(lot.park(word, 0, timeout, argument, false));
                    parkReturned[0] = System.nanoTime();
                });
                Threads.awaitParked(parker);
                lot.unpark(word, (arg, more) -> {
                    received.set(arg);
                    if (arg != null) {
                        Threads.sleepMillis(2 * timeout.toMillis()); // the waiter's timeout expires meanwhile
                    }
                    callbackEnded[0] = System.nanoTime();
                });
            }
            if (received.get() == null) {
                assertEquals(ParkResult.TIMEOUT, status.get(), "nobody was unparked, yet the park did not time out");
                continue;
            }
            assertSame(argument, received.get());
            assertEquals(ParkResult.OK, status.get(),
                    "the unparker had taken the waiter out of the queue before its timeout expired");
            assertTrue(parkReturned[0] - callbackEnded[0] >= 0,
                    "the park returned before the unpark's callback ended, that is before its wake-up");
            return;
        }
        fail("in 5 attempts the unpark never found the waiter queued");
    }

    /** Two parked threads are woken in arrival order; the first unpark reports more waiters, the second not. */
    @Test
    default void unparkWakesInArrivalOrderWithTheHasMoreFlag() {
        ParkingLotUnderTest lot = implementation().parkingLot();
        ParkingLotUnderTest.Word word = lot.newWord(4);
        List<Object> arguments = new ArrayList<>();
        List<Boolean> more = new ArrayList<>();
        try (Threads threads = new Threads()) {
            Thread first = threads.start("first-parker",
                    () -> assertEquals(ParkResult.OK, lot.park(word, 0, Threads.HANG, "first", false)));
            Threads.awaitParked(first);
            Thread second = threads.start("second-parker",
                    () -> assertEquals(ParkResult.OK, lot.park(word, 0, Threads.HANG, "second", false)));
            Threads.awaitParked(second);
            for (int i = 0; i < 2; i++) {
                lot.unpark(word, (arg, hasMore) -> {
                    arguments.add(arg);
                    more.add(hasMore);
                });
            }
        }
        assertEquals(List.of("first", "second"), arguments);
        assertEquals(List.of(true, false), more);
    }

    /** An unpark with nobody parked still calls the callback once, with (null, false). */
    @Test
    default void unparkWithNobodyParked() {
        ParkingLotUnderTest lot = implementation().parkingLot();
        ParkingLotUnderTest.Word word = lot.newWord(4);
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<Object> received = new AtomicReference<>("not called");
        AtomicReference<Boolean> hasMore = new AtomicReference<>();
        lot.unpark(word, (arg, more) -> {
            calls.incrementAndGet();
            received.set(arg);
            hasMore.set(more);
        });
        assertEquals(1, calls.get());
        assertNull(received.get());
        assertFalse(hasMore.get());
    }

    /** unparkAll wakes 20 parked threads; afterwards an unpark finds nobody. */
    @Test
    default void unparkAllWakesEveryWaiter() {
        ParkingLotUnderTest lot = implementation().parkingLot();
        ParkingLotUnderTest.Word word = lot.newWord(8);
        AtomicInteger woken = new AtomicInteger();
        try (Threads threads = new Threads()) {
            List<Thread> parkers = new ArrayList<>();
            for (int t = 0; t < 20; t++) {
                parkers.add(threads.start("parker-" + t, () -> {
                    if (lot.park(word, 0, Threads.HANG, null, false) == ParkResult.OK) {
                        woken.incrementAndGet();
                    }
                }));
            }
            parkers.forEach(Threads::awaitParked);
            Threads.wakeUntilEnded(() -> lot.unparkAll(word), parkers.toArray(Thread[]::new));
        }
        assertEquals(20, woken.get());
        AtomicReference<Object> found = new AtomicReference<>("not called");
        lot.unpark(word, (arg, more) -> found.set(more ? "more waiters" : arg));
        assertNull(found.get());
    }

    /** A callback that throws: unpark rethrows that very exception, and the waiter is woken all the same. */
    @Test
    default void throwingCallbackStillWakesTheWaiter() {
        ParkingLotUnderTest lot = implementation().parkingLot();
        ParkingLotUnderTest.Word word = lot.newWord(4);
        IllegalStateException failure = new IllegalStateException("callback fails");
        AtomicReference<ParkResult> status = new AtomicReference<>();
        AtomicReference<Object> received = new AtomicReference<>();
        try (Threads threads = new Threads()) {
            Thread parker = threads.start("parker", () -> status.set(lot.park(word, 0, Threads.HANG, "parked", false)));
            Threads.awaitParked(parker);
            RuntimeException thrown = assertThrows(RuntimeException.class, () -> lot.unpark(word, (arg, more) -> {
                received.set(arg);
                throw failure;
            }));
            assertSame(failure, thrown);
        }
        assertEquals("parked", received.get());
        assertEquals(ParkResult.OK, status.get());
    }

    /** A waiter parked with detach suspends its critical sections while it waits (free-threaded build). */
    @Test
    default void detachedParkSuspendsCriticalSections() {
        Implementation impl = implementation();
        ParkingLotUnderTest lot = impl.parkingLot();
        ParkingLotUnderTest.Word word = lot.newWord(4);
        MutexUnderTest guarded = impl.newMutex();
        AtomicInteger afterPark = new AtomicInteger(-1);
        try (Threads threads = new Threads()) {
            Thread parker = threads.start("parker", () -> {
                try (CriticalSectionsUnderTest.Section ignored = impl.criticalSections().begin(guarded)) {
                    assertEquals(ParkResult.OK, lot.park(word, 0, Threads.HANG, null, true));
                    afterPark.set(guarded.bits());
                }
            });
            Threads.awaitParked(parker);
            assertEquals(0, guarded.bits(), "released while parked detached");
            Threads.wakeUntilEnded(() -> lot.unparkAll(word), parker);
        }
        assertEquals(impl.freeThreaded() ? 1 : 0, afterPark.get(), "held again after the park");
        assertEquals(0, guarded.bits());
    }
}
