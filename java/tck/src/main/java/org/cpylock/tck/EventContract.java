package org.cpylock.tck;

import org.cpylock.api.Implementation;
import org.cpylock.api.PyEvent;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code PyEvent}: one-time notification; state byte 0 (unset), 2 (unset, parked waiters), 1 (set). */
public interface EventContract extends ImplementationProvider {
    /** State byte: not set, nobody parked. */
    int UNSET = 0;
    /** State byte: set ({@code _Py_LOCKED}). */
    int SET = 1;
    /** State byte: not set, with threads parked ({@code _Py_HAS_PARKED}). */
    int HAS_PARKED = 2;

    /** A waiter parks (0 to 2), set() wakes it (2 to 1). */
    @Test
    default void stateBytesZeroTwoOne() {
        PyEvent e = implementation().newEvent();
        assertEquals(UNSET, e.bits());
        assertFalse(e.isSet());
        try (Threads threads = new Threads()) {
            threads.start("waiter", e::await);
            Threads.awaitBits(e::bits, HAS_PARKED, "a parked waiter");
            assertFalse(e.isSet());
            e.set();
        }
        assertEquals(SET, e.bits());
        assertTrue(e.isSet());
    }

    /**
     * A timed wait returns what the state byte says when its park ends, not
     * how the park ended ({@code PyEvent_WaitTimed}, {@code Python/lock.c}):
     * with the byte made 1 (set) under a parked waiter, without an unpark,
     * the park times out and the wait returns true. This is what a set that
     * comes as the timeout expires leaves: the byte set, the waiter no longer
     * queued for its unpark-all.
     */
    @Test
    default void aTimedWaitReportsTheByteWhenItsParkTimesOut() {
        PyEvent e = implementation().newEvent();
        AtomicReference<Boolean> result = new AtomicReference<>();
        try (Threads threads = new Threads()) {
            threads.start("timed-waiter", () -> result.set(e.await(Duration.ofMillis(100 + 4 * Threads.QUEUE_MILLIS))));
            Threads.awaitBits(e::bits, HAS_PARKED, "a parked waiter");
            e.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) SET);
        }
        assertEquals(Boolean.TRUE, result.get(), "the byte was set when the wait's timeout ended");
        assertEquals(SET, e.bits());
    }

    /** One set() releases 50 parked waiters; every await returns true. */
    @Test
    default void oneSetReleasesManyWaiters() {
        int waiters = 50;
        PyEvent e = implementation().newEvent();
        AtomicInteger released = new AtomicInteger();
        AtomicInteger waiting = new AtomicInteger();
        try (Threads threads = new Threads()) {
            for (int i = 0; i < waiters; i++) {
                threads.start("waiter-" + i, () -> {
                    waiting.incrementAndGet();
                    if (e.await(Threads.HANG)) {
                        released.incrementAndGet();
                    }
                });
            }
            Threads.awaitTrue(() -> waiting.get() == waiters, "all waiters to start");
            Threads.awaitBits(e::bits, HAS_PARKED, "parked waiters");
            e.set();
        }
        assertEquals(waiters, released.get());
        assertEquals(SET, e.bits());
    }

    /** set() twice is harmless: the event stays set and later waits return at once. */
    @Test
    default void setTwiceIsHarmless() {
        PyEvent e = implementation().newEvent();
        e.set();
        e.set();
        assertEquals(SET, e.bits());
        assertTrue(e.await(Duration.ZERO));
        e.await();
        assertTrue(e.isSet());
    }

    /**
     * An interrupt does not end a timed wait ({@code PyEvent_WaitTimed}
     * does not handle signals), and a wait that then times out returns false
     * with the thread's interrupt status still set.
     */
    @Test
    default void anInterruptedTimedWaitThatTimesOutKeepsTheInterruptStatus() {
        PyEvent e = implementation().newEvent();
        Duration timeout = Duration.ofMillis(5 * Threads.QUEUE_MILLIS);
        AtomicReference<Boolean> result = new AtomicReference<>();
        AtomicReference<Boolean> interruptedAfter = new AtomicReference<>();
        try (Threads threads = new Threads()) {
            Thread waiter = threads.start("timed-waiter", () -> {
                result.set(e.await(timeout));
                interruptedAfter.set(Thread.interrupted());
            });
            Threads.awaitBits(e::bits, HAS_PARKED, "a parked waiter");
            waiter.interrupt();
        }
        assertEquals(Boolean.FALSE, result.get(), "the wait timed out");
        assertEquals(Boolean.TRUE, interruptedAfter.get(), "the interrupt status after the wait");
    }

    /** A timed wait on an event nobody sets returns false after its timeout. */
    @Test
    default void timedWaitTimesOut() {
        PyEvent e = implementation().newEvent();
        long start = System.nanoTime();
        assertFalse(e.await(Duration.ofMillis(20)));
        long elapsed = System.nanoTime() - start;
        assertTrue(elapsed >= Duration.ofMillis(15).toNanos(), "returned after " + elapsed + " ns");
        assertEquals(HAS_PARKED, e.bits(), "the waiter parked (and CPython leaves the bit set)");
        assertFalse(e.isSet());
    }

    /** A timed wait with a timeout too long for nanoseconds waits until the event is set. */
    @Test
    default void aTimedWaitOfCenturiesWaits() {
        for (Duration timeout : LongTimeouts.CENTURIES) {
            PyEvent e = implementation().newEvent();
            AtomicReference<Boolean> result = new AtomicReference<>();
            try (Threads threads = new Threads()) {
                threads.start("timed-waiter", () -> result.set(e.await(timeout)));
                Threads.sleepMillis(2 * Threads.QUEUE_MILLIS);
                e.set();
            }
            assertEquals(Boolean.TRUE, result.get(), "a timed wait with a timeout of " + timeout);
        }
    }

    /**
     * A zero timeout does not block on an unset event, and it leaves the
     * byte as any other wait does: {@code PyEvent_WaitTimed} marks it
     * has-parked before the park that times out at once.
     */
    @Test
    default void zeroTimeoutOnUnsetEvent() {
        PyEvent e = implementation().newEvent();
        assertFalse(Threads.bounded("zero-timeout", () -> e.await(Duration.ZERO)));
        assertFalse(e.isSet());
        assertEquals(HAS_PARKED, e.bits(), "the wait marked the byte before its park");
    }

    /**
     * A waiter woken without the event being set (a stray unpark of its
     * address, as a signal ends {@code PyEvent_WaitTimed}'s park in C) waits
     * on: a timed wait for the time left of its first deadline, so that
     * false still means the timeout passed; an unlimited one until the set.
     */
    @Test
    default void earlyWakeUpsKeepTheDeadline() {
        Implementation impl = implementation();
        WordLot lot = new WordLot(impl.parkingLot());
        Duration timeout = Duration.ofMillis(300);
        PyEvent timed = impl.newEvent();
        EarlyWakeUps.Outcome<Boolean> outcome = EarlyWakeUps.wakeUntilItEnds(lot, timed, () -> timed.await(timeout),
                () -> timed.bits() == HAS_PARKED, timeout);
        assertEquals(false, outcome.result());
        outcome.assertEndedAtTheDeadline(timeout);
        assertEquals(HAS_PARKED, timed.bits(), "nobody cleared the parked bit");

        PyEvent unlimited = impl.newEvent();
        assertEquals(Boolean.TRUE, EarlyWakeUps.fiveTimesThenRelease(lot, unlimited, () -> {
            unlimited.await();
            return true;
        }, () -> unlimited.bits() == HAS_PARKED, unlimited::set, "await()"));
    }

    /**
     * A wait with a negative timeout waits without limit: C's
     * {@code PyEvent_WaitTimed} parks with no deadline for a negative
     * {@code timeout_ns} ({@code Python/lock.c}, {@code Python/parking_lot.c}).
     * For -1 ns, -1 s and a negative timeout too long for nanoseconds, in
     * either form of {@code await} and whether it detaches or not, a waiter
     * woken without the event being set (stray unparks of its address) waits
     * on until the set, and returns true.
     */
    @Test
    default void aWaitWithANegativeTimeoutWaitsForTheSet() {
        Implementation impl = implementation();
        WordLot lot = new WordLot(impl.parkingLot());
        for (Duration timeout : LongTimeouts.NEGATIVE) {
            for (Boolean detach : new Boolean[] {null, true, false}) { // null: the one-argument form
                PyEvent e = impl.newEvent();
                String what = "await(" + timeout + (detach == null ? ")" : ", " + detach + ")");
                Supplier<Boolean> wait = detach == null ? () -> e.await(timeout) : () -> e.await(timeout, detach);
                assertEquals(Boolean.TRUE, EarlyWakeUps.fiveTimesThenRelease(lot, e, wait,
                        () -> e.bits() == HAS_PARKED, e::set, what), what);
                assertEquals(SET, e.bits(), what);
            }
        }
    }
}
