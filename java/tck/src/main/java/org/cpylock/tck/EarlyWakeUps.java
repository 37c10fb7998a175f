package org.cpylock.tck;

import org.cpylock.api.InMemory;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A timed wait woken early: again and again by a stray unpark-all of the
 * primitive's address or an interrupt, every 10 ms, for ten times its
 * timeout or until it returns; or once, shortly before its deadline, by a
 * stray {@code LockSupport.unpark} of its thread. And a wait without limit,
 * woken five times before it is given what it waits for.
 */
final class EarlyWakeUps {
    private EarlyWakeUps() {
    }

    /**
     * What a timed wait returned, and after how long.
     *
     * @param result what it returned
     * @param nanos  how long the call took
     * @param <T>    the wait's result type
     */
    record Outcome<T>(T result, long nanos) {
        /** Not before the deadline (less a millisecond of clock), and long before the wake-ups stopped. */
        void assertEndedAtTheDeadline(Duration timeout) {
            assertNotBeforeTheDeadline(timeout);
            assertTrue(nanos < 4 * timeout.toNanos(),
                    "ended after " + nanos / 1_000_000 + " ms: the wake-ups moved the deadline");
        }

        /**
         * Not before the deadline, and well before a whole timeout more
         * (what a wait that restarts its timeout after the wake-up takes).
         */
        void assertEndedNearTheDeadline(Duration timeout) {
            assertNotBeforeTheDeadline(timeout);
            assertTrue(nanos < timeout.toNanos() * 3 / 2,
                    "ended after " + nanos / 1_000_000 + " ms: the wake-up restarted the timeout");
        }

        private void assertNotBeforeTheDeadline(Duration timeout) {
            assertTrue(nanos >= timeout.toNanos() - 1_000_000, "ended after " + nanos + " ns");
        }
    }

    /**
     * Five stray unpark-alls of {@code primitive}'s address, each followed by
     * {@link Threads#QUEUE_MILLIS} for the woken waiter to park again.
     *
     * @param lot       the implementation's parking lot
     * @param primitive the primitive a thread waits on
     */
    static void fiveTimes(WordLot lot, InMemory primitive) {
        SegmentWord word = SegmentWord.firstByteOf(primitive);
        for (int wake = 0; wake < 5; wake++) {
            lot.unparkAll(word);
            Threads.sleepMillis(Threads.QUEUE_MILLIS);
        }
    }

    /**
     * Runs {@code unlimitedWait} on a new thread and, once it parked, wakes
     * it early five times ({@link #fiveTimes}); it must still wait then.
     * Then runs {@code release}, which gives it what it waits for (also when
     * the wait failed the test), and returns what the wait returned.
     *
     * @param lot           the implementation's parking lot
     * @param primitive     the primitive the wait parks on (its first byte is the address)
     * @param unlimitedWait the wait, which only {@code release} may end
     * @param parked        whether the primitive's state word shows the waiter parked
     * @param release       ends the wait: sets the event, unlocks the mutex
     * @param what          the wait, for failure messages
     * @param <T>           the wait's result type
     * @return what the wait returned
     */
    static <T> T fiveTimesThenRelease(WordLot lot, InMemory primitive, Supplier<T> unlimitedWait,
                                      BooleanSupplier parked, Runnable release, String what) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicBoolean ended = new AtomicBoolean();
        try (Threads threads = new Threads()) {
            threads.start("unlimited-waiter", () -> {
                try {
                    result.set(unlimitedWait.get());
                } finally {
                    ended.set(true);
                }
            });
            try {
                Threads.awaitTrue(() -> parked.getAsBoolean() || ended.get(), what + ": the waiter to park");
                fiveTimes(lot, primitive);
                assertFalse(ended.get(), what + ": woken early, the wait returned before it was released");
            } finally {
                release.run();
            }
        }
        return result.get();
    }

    /**
     * Runs {@code timedWait} on a new thread and wakes it early until it
     * returns: a stray unpark-all of the primitive's address.
     *
     * @param lot       the implementation's parking lot
     * @param primitive the primitive the wait parks on (its first byte is the address)
     * @param timedWait the wait, with {@code timeout}
     * @param parked    whether the primitive's state word shows the waiter parked
     * @param timeout   the wait's timeout
     * @param <T>       the wait's result type
     * @return what the wait returned, and after how long
     */
    static <T> Outcome<T> wakeUntilItEnds(WordLot lot, InMemory primitive, Supplier<T> timedWait,
                                          BooleanSupplier parked, Duration timeout) {
        SegmentWord word = SegmentWord.firstByteOf(primitive);
        return untilItEnds(timedWait, parked, timeout, again(timeout, waiter -> lot.unparkAll(word)));
    }

    /**
     * Runs {@code timedWait} on a new thread and interrupts it until it
     * returns (a wait that interrupts do not end).
     *
     * @see #wakeUntilItEnds
     */
    static <T> Outcome<T> interruptUntilItEnds(Supplier<T> timedWait, BooleanSupplier parked, Duration timeout) {
        return untilItEnds(timedWait, parked, timeout, again(timeout, Thread::interrupt));
    }

    /**
     * Runs {@code timedWait} on a new thread and, at nine tenths of its
     * timeout, unparks that thread once with {@link LockSupport#unpark}: a
     * wake-up meant for nobody, which {@code LockSupport.park} may also
     * return for, and which a wait must sleep through to its deadline.
     *
     * @see #wakeUntilItEnds
     */
    static <T> Outcome<T> strayUnparkBeforeTheDeadline(Supplier<T> timedWait, BooleanSupplier parked,
                                                       Duration timeout) {
        return untilItEnds(timedWait, parked, timeout, waiter -> {
            Threads.sleepMillis(timeout.toMillis() * 9 / 10);
            LockSupport.unpark(waiter);
        });
    }

    /** {@code wake} every 10 ms while the waiter waits, for ten times its timeout at most. */
    private static Consumer<Thread> again(Duration timeout, Consumer<Thread> wake) {
        return waiter -> Threads.wakeWhileWaiting(() -> wake.accept(waiter), waiter, 10, timeout.multipliedBy(10));
    }

    /** Runs {@code timedWait} on a new thread and, once it parked, {@code wakes} it. */
    private static <T> Outcome<T> untilItEnds(Supplier<T> timedWait, BooleanSupplier parked, Duration timeout,
                                              Consumer<Thread> wakes) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicLong nanos = new AtomicLong();
        try (Threads threads = new Threads()) {
            Thread waiter = threads.start("timed-waiter", () -> {
                long start = System.nanoTime();
                result.set(timedWait.get());
                nanos.set(System.nanoTime() - start);
            });
            Threads.awaitTrue(parked, "the waiter to park");
            wakes.accept(waiter);
        }
        return new Outcome<>(result.get(), nanos.get());
    }
}
