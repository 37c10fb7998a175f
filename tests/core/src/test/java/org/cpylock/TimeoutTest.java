package org.cpylock;

import org.cpylock.api.LockStatus;
import org.cpylock.api.ParkStatus;
import org.cpylock.tck.Threads;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Timeouts at their edges: negative waits forever, zero does not wait, 1 ns
 * hardly waits, and huge values (Long.MAX_VALUE nanoseconds, a Duration of
 * Long.MAX_VALUE seconds) saturate to a very long wait instead of overflowing
 * into an immediate or a negative (infinite) one.
 */
class TimeoutTest {
    /** Timeouts that must wait until the mutex is released. */
    private static final List<Duration> LONG_WAITS = List.of(
            Duration.ofNanos(-1),
            Duration.ofSeconds(Long.MIN_VALUE),
            Duration.ofNanos(Long.MAX_VALUE),
            Duration.ofSeconds(Long.MAX_VALUE),
            ChronoUnit.FOREVER.getDuration());

    @Test
    void zeroAndOneNanosecondDoNotWaitForAHeldMutex() {
        PyMutex m = new PyMutex();
        m.lock();
        assertEquals(LockStatus.FAILURE, m.lockTimed(Duration.ZERO));
        assertEquals(LockStatus.FAILURE, m.lockTimed(Duration.ofNanos(1)));
        m.unlock();
        assertEquals(LockStatus.ACQUIRED, m.lockTimed(Duration.ZERO));
        m.unlock();
        assertEquals(LockStatus.ACQUIRED, m.lockTimed(Duration.ofNanos(1)));
        m.unlock();
    }

    @Test
    void negativeAndHugeTimeoutsWaitUntilTheMutexIsReleased() {
        for (Duration timeout : LONG_WAITS) {
            PyMutex m = new PyMutex();
            m.lock();
            AtomicReference<LockStatus> status = new AtomicReference<>();
            try (Threads threads = new Threads()) {
                threads.start("waiter", () -> {
                    status.set(m.lockTimed(timeout));
                    m.unlock();
                });
                Threads.awaitBits(m::bits, 3, "the waiter to park");
                Threads.sleepMillis(50);
                assertNull(status.get(), timeout + " returned early");
                m.unlock();
            }
            assertEquals(LockStatus.ACQUIRED, status.get(), timeout.toString());
        }
    }

    @Test
    void tryLockWithHugeOrNegativeTimes() throws InterruptedException {
        PyMutex m = new PyMutex();
        m.lock();
        AtomicReference<Boolean> acquired = new AtomicReference<>();
        try (Threads threads = new Threads()) {
            threads.start("waiter", () -> {
                try {
                    acquired.set(m.tryLock(Long.MAX_VALUE, TimeUnit.DAYS));
                    m.unlock();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            Threads.awaitBits(m::bits, 3, "the waiter to park");
            Threads.sleepMillis(50);
            assertNull(acquired.get(), "Long.MAX_VALUE days returned early");
            m.unlock();
        }
        assertTrue(acquired.get());
        m.lock();
        assertFalse(m.tryLock(-5, TimeUnit.SECONDS), "a negative time is no wait");
        assertFalse(m.tryLock(0, TimeUnit.NANOSECONDS));
        m.unlock();
    }

    @Test
    void eventWaitsWithHugeTimeoutsLastUntilSet() {
        for (Duration timeout : LONG_WAITS) {
            PyEvent event = new PyEvent();
            AtomicReference<Boolean> set = new AtomicReference<>();
            try (Threads threads = new Threads()) {
                threads.start("waiter", () -> set.set(event.await(timeout)));
                Threads.awaitBits(event::bits, 2, "the waiter to park");
                Threads.sleepMillis(50);
                assertNull(set.get(), timeout + " returned early");
                event.set();
            }
            assertTrue(set.get(), timeout.toString());
        }
        PyEvent never = new PyEvent();
        assertFalse(never.await(Duration.ZERO));
        assertFalse(never.await(Duration.ofNanos(1)));
    }

    @Test
    void parksWithHugeTimeoutsLastUntilUnparked() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment word = arena.allocate(8, 8);
            for (Duration timeout : LONG_WAITS) {
                AtomicReference<ParkStatus> status = new AtomicReference<>();
                try (Threads threads = new Threads()) {
                    Thread parker = threads.start("parker", () ->
                            status.set(ParkingLot.park(word, 0, 8, timeout, null, false)));
                    Threads.awaitParked(parker);
                    Threads.sleepMillis(30);
                    assertNull(status.get(), timeout + " returned early");
                    Threads.wakeUntilEnded(() -> ParkingLot.unparkAll(word), parker);
                }
                assertEquals(ParkStatus.OK, status.get(), timeout.toString());
            }
            assertEquals(ParkStatus.TIMEOUT, ParkingLot.park(word, 0, 8, Duration.ZERO, null, false));
            assertEquals(ParkStatus.TIMEOUT, ParkingLot.park(word, 0, 8, Duration.ofNanos(1), null, false));
        }
    }
}
