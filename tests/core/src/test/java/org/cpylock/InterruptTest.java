package org.cpylock;

import org.cpylock.api.LockFlag;
import org.cpylock.api.LockStatus;
import org.cpylock.api.ParkStatus;
import org.cpylock.tck.Threads;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Java interrupts end the waits the facade makes interruptible
 * ({@code lockInterruptibly}, {@code tryLock(time, unit)}, {@code lockTimed}
 * with HANDLE_SIGNALS, {@code ParkingLot.park}), for platform and virtual
 * threads, and leave the others alone.
 */
class InterruptTest {
    private static Thread.Builder[] builders() {
        return new Thread.Builder[]{Thread.ofPlatform(), Thread.ofVirtual()};
    }

    @Test
    void lockInterruptiblyEndsWithInterruptedException() {
        for (Thread.Builder builder : builders()) {
            PyMutex m = new PyMutex();
            m.lock();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicBoolean stillInterrupted = new AtomicBoolean(true);
            try (Threads threads = new Threads()) {
                Thread waiter = threads.start(builder.name("waiter"), () -> {
                    try {
                        m.lockInterruptibly();
                    } catch (InterruptedException e) {
                        thrown.set(e);
                        stillInterrupted.set(Thread.currentThread().isInterrupted());
                    }
                });
                Threads.awaitBits(m::bits, 3, "the waiter to park");
                waiter.interrupt();
            }
            assertInstanceOf(InterruptedException.class, thrown.get(), builder.toString());
            assertFalse(stillInterrupted.get(), "the exception reports (and clears) the interrupt");
            assertEquals(3, m.bits(), "the waiter left; the parked bit stays, as in CPython");
            m.unlock();
            assertTrue(m.tryLock());
            m.unlock();
        }
    }

    @Test
    void tryLockWithTimeoutEndsWithInterruptedException() {
        for (Thread.Builder builder : builders()) {
            PyMutex m = new PyMutex();
            m.lock();
            AtomicReference<Object> outcome = new AtomicReference<>();
            try (Threads threads = new Threads()) {
                Thread waiter = threads.start(builder.name("waiter"), () -> {
                    try {
                        outcome.set(m.tryLock(1, TimeUnit.HOURS));
                    } catch (InterruptedException e) {
                        outcome.set(e);
                    }
                });
                Threads.awaitBits(m::bits, 3, "the waiter to park");
                waiter.interrupt();
            }
            assertInstanceOf(InterruptedException.class, outcome.get(), builder.toString());
            m.unlock();
        }
    }

    @Test
    void lockTimedReportsInterruptedWithHandleSignalsOnly() {
        PyMutex m = new PyMutex();
        m.lock();
        AtomicReference<LockStatus> withSignals = new AtomicReference<>();
        AtomicBoolean statusKept = new AtomicBoolean();
        try (Threads threads = new Threads()) {
            Thread waiter = threads.start("with-handle-signals", () -> {
                withSignals.set(m.lockTimed(Duration.ofHours(1), LockFlag.DETACH, LockFlag.HANDLE_SIGNALS));
                statusKept.set(Thread.interrupted());
            });
            Threads.awaitBits(m::bits, 3, "the waiter to park");
            waiter.interrupt();
        }
        assertEquals(LockStatus.INTERRUPTED, withSignals.get());
        assertTrue(statusKept.get(), "a status result leaves the interrupt status set");

        AtomicReference<LockStatus> without = new AtomicReference<>();
        try (Threads threads = new Threads()) {
            Thread waiter = threads.start("without-handle-signals", () -> {
                without.set(m.lockTimed(Duration.ofMillis(300), LockFlag.DETACH));
                Thread.interrupted();
            });
            Threads.awaitBits(m::bits, 3, "the waiter to park");
            waiter.interrupt();
        }
        assertEquals(LockStatus.FAILURE, without.get(), "without HANDLE_SIGNALS the wait runs to its timeout");
        m.unlock();
    }

    @Test
    void lockTimedWithHandleSignalsOnAnInterruptedThreadTakesOnlyAFreeMutex() {
        PyMutex m = new PyMutex();
        Thread.currentThread().interrupt();
        try {
            assertEquals(LockStatus.ACQUIRED, m.lockTimed(Duration.ofHours(1), LockFlag.HANDLE_SIGNALS),
                    "a free mutex is taken, as CPython's fast path takes it");
            assertTrue(Thread.interrupted(), "the status stays set");
            assertEquals(1, m.bits());
            AtomicReference<LockStatus> other = new AtomicReference<>();
            try (Threads threads = new Threads()) {
                threads.start("interrupted-other", () -> {
                    Thread.currentThread().interrupt();
                    other.set(m.lockTimed(Duration.ofHours(1), LockFlag.HANDLE_SIGNALS));
                    Thread.interrupted();
                });
            }
            assertEquals(LockStatus.INTERRUPTED, other.get(), "a held mutex is not waited for");
            assertEquals(1, m.bits(), "the refused thread left the mutex to its holder");
            m.unlock();
            assertEquals(0, m.bits());
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void parkEndsWithInterruptedAndKeepsTheStatus() {
        for (Thread.Builder builder : builders()) {
            try (Arena arena = Arena.ofShared()) {
                MemorySegment word = arena.allocate(8, 8);
                ParkOutcome outcome = park(builder, word, null, parker -> {
                    Threads.awaitParked(parker);
                    parker.interrupt();
                });
                assertEquals(new ParkOutcome(ParkStatus.INTERRUPTED, true), outcome, builder.toString());
                // The interrupted waiter left the bucket: an unpark finds nobody.
                AtomicReference<Object> found = new AtomicReference<>("not called");
                ParkingLot.unpark(word, (arg, more) -> found.set(arg == null && !more ? "nobody" : "somebody"));
                assertEquals("nobody", found.get());
            }
        }
    }

    @Test
    void anUnparkThatComesWithAnInterruptIsReportedAsTheUnpark() {
        for (Thread.Builder builder : builders()) {
            try (Arena arena = Arena.ofShared()) {
                MemorySegment word = arena.allocate(8, 8);
                // Unpark it, interrupting it under the bucket lock, after it left the queue
                // and before it wakes: the wake-up is the unpark's, and must not be lost.
                ParkOutcome outcome = park(builder, word, "parker", parker -> {
                    AtomicBoolean unparked = new AtomicBoolean();
                    Threads.awaitTrue(() -> {
                        ParkingLot.unpark(word, (arg, more) -> {
                            if ("parker".equals(arg)) {
                                parker.interrupt();
                                unparked.set(true);
                            }
                        });
                        return unparked.get();
                    }, "the parker to be unparked");
                });
                assertEquals(new ParkOutcome(ParkStatus.OK, true), outcome, builder.toString());
            }
        }
    }

    /** How a park ended, and whether the thread's interrupt status was set after it. */
    private record ParkOutcome(ParkStatus status, boolean interrupted) {
    }

    /** A park of a thread of {@code builder} on {@code word} (expecting 0) with {@code parkArg}, which {@code end} ends. */
    private static ParkOutcome park(Thread.Builder builder, MemorySegment word, Object parkArg,
                                    Consumer<Thread> end) {
        AtomicReference<ParkOutcome> outcome = new AtomicReference<>();
        try (Threads threads = new Threads()) {
            Thread parker = threads.start(builder.name("parker"), () -> {
                ParkStatus status = ParkingLot.park(word, 0, 8, Duration.ofHours(1), parkArg, true);
                outcome.set(new ParkOutcome(status, Thread.interrupted()));
            });
            end.accept(parker);
        }
        return outcome.get();
    }

    @Test
    void parkWithAnInterruptPendingReturnsAtOnce() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment word = arena.allocate(8, 8);
            Thread.currentThread().interrupt();
            try {
                assertEquals(ParkStatus.INTERRUPTED, ParkingLot.park(word, 0, 8, Duration.ofHours(1), null, false));
                assertTrue(Thread.currentThread().isInterrupted());
            } finally {
                Thread.interrupted();
            }
        }
    }

    @Test
    void uninterruptibleWaitsIgnoreInterrupts() {
        PyMutex m = new PyMutex();
        PyEvent event = new PyEvent();
        m.lock();
        AtomicBoolean locked = new AtomicBoolean();
        AtomicBoolean eventSeen = new AtomicBoolean();
        try (Threads threads = new Threads()) {
            Thread locker = threads.start("locker", () -> {
                m.lock();
                locked.set(true);
                m.unlock();
                event.await();
                eventSeen.set(true);
                Thread.interrupted();
            });
            Threads.awaitBits(m::bits, 3, "the locker to park");
            locker.interrupt();
            Threads.sleepMillis(50);
            assertFalse(locked.get(), "lock() is not interruptible");
            m.unlock();
            Threads.awaitBits(event::bits, 2, "the locker to wait for the event");
            locker.interrupt();
            Threads.sleepMillis(50);
            assertFalse(eventSeen.get(), "await() is not interruptible");
            event.set();
        }
        assertTrue(locked.get());
        assertTrue(eventSeen.get());
    }
}
