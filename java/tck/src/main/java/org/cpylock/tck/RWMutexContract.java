package org.cpylock.tck;

import org.cpylock.api.CriticalSection;
import org.cpylock.api.Implementation;
import org.cpylock.api.ParkStatus;
import org.cpylock.api.PyEvent;
import org.cpylock.api.PyMutex;
import org.cpylock.api.RWMutex;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code _PyRWMutex}: a writer-preferring readers-writer lock.
 *
 * <p>State word: bit 0 write-locked (1), bit 1 threads parked (2), the
 * number of readers from bit 2 (so n readers read {@code 4n}). While a writer
 * is parked, new readers park too.
 */
public interface RWMutexContract extends ImplementationProvider {
    /** Bit 0 of the state word: write-locked ({@code _Py_WRITE_LOCKED}). */
    long WRITE_LOCKED = 1;
    /** Bit 1 of the state word: threads parked ({@code _Py_HAS_PARKED}). */
    long HAS_PARKED = 2;
    /** What one reader adds to the state word: the reader count starts at bit 2. */
    long ONE_READER = 4;

    /**
     * test_lock_rwlock: a new mutex 0; write lock 1, then 0; two readers 8;
     * a writer parks behind them 10; the readers leave and park again behind
     * the writer, who holds the lock 3; the writer leaves and the readers
     * hold it 8; they leave 0.
     */
    @Test
    default void cpythonRwlockSequence() {
        Implementation impl = implementation();
        RWMutex rw = impl.newRWMutex();
        PyEvent step1 = impl.newEvent();
        PyEvent step2 = impl.newEvent();
        PyEvent step3 = impl.newEvent();

        assertEquals(0, rw.bits(), "a new mutex");
        assertEquals(0, rw.readers(), "a new mutex");
        rw.lock();
        assertEquals(WRITE_LOCKED, rw.bits());
        rw.unlock();
        assertEquals(0, rw.bits());

        try (Threads threads = new Threads()) {
            for (int r = 0; r < 2; r++) {
                threads.start("reader-" + r, () -> {
                    rw.rlock();
                    step1.await();
                    rw.runlock();
                    rw.rlock();
                    step3.await();
                    rw.runlock();
                });
            }
            Threads.awaitBits(rw::bits, 2 * ONE_READER, "two readers");

            threads.start("writer", () -> {
                rw.lock();
                step2.await();
                rw.unlock();
            });
            Threads.awaitBits(rw::bits, 2 * ONE_READER | HAS_PARKED, "a writer parked behind two readers");

            step1.set();
            Threads.awaitBits(rw::bits, WRITE_LOCKED | HAS_PARKED, "the writer holding it, readers parked");

            step2.set();
            Threads.awaitBits(rw::bits, 2 * ONE_READER, "the readers holding it again");

            step3.set();
            Threads.awaitBits(rw::bits, 0, "unlocked");
        }
        assertEquals(0, rw.bits());
    }

    /**
     * Writer preference: while a writer is parked behind a reader, a new
     * reader parks as well, and gets the lock only after the writer has had it.
     */
    @Test
    default void parkedWriterHoldsNewReadersBack() {
        Implementation impl = implementation();
        RWMutex rw = impl.newRWMutex();
        PyEvent releaseWriter = impl.newEvent();
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        rw.rlock();
        try (Threads threads = new Threads()) {
            threads.start("writer", () -> {
                rw.lock();
                order.add("writer");
                releaseWriter.await();
                rw.unlock();
            });
            Threads.awaitBits(rw::bits, ONE_READER | HAS_PARKED, "the writer parked behind the reader");
            threads.start("late-reader", () -> {
                rw.rlock();
                order.add("late reader");
                rw.runlock();
            });
            Threads.sleepMillis(20); // time for a wrong implementation to let the late reader in
            assertEquals(List.of(), order, "nobody may get in while the first reader holds the lock");
            assertEquals(ONE_READER | HAS_PARKED, rw.bits(), "the late reader waits; the count stays 1");
            rw.runlock();
            Threads.awaitTrue(() -> order.contains("writer"), "the writer to get the lock");
            assertEquals(List.of("writer"), order, "the late reader still waits while the writer holds it");
            releaseWriter.set();
        }
        assertEquals(List.of("writer", "late reader"), order);
        assertEquals(0, rw.bits());
    }

    /**
     * A thread that holds a read lock waits like any reader behind a parked
     * writer: {@code _PyRWMutex_RLock} ({@code Python/lock.c}) knows no
     * reader by thread, so with {@code _Py_HAS_PARKED} set a second read lock
     * parks. (Behind a real writer, that reader and the writer would wait for
     * each other for ever; here the bit is written into the word, and once it
     * is cleared a stray unpark lets the reader go.)
     */
    @Test
    default void aReaderThatHoldsAReadLockStillWaitsBehindAParkedWriter() {
        Implementation impl = implementation();
        WordLot lot = new WordLot(impl.parkingLot());
        RWMutex rw = impl.newRWMutex();
        AtomicBoolean second = new AtomicBoolean();
        try (Threads threads = new Threads()) {
            // A virtual reader: its park shows in its thread state whatever the implementation waits in.
            Thread reader = threads.start(Thread.ofVirtual().name("reader"), () -> {
                rw.rlock();
                rw.segment().set(ValueLayout.JAVA_LONG, 0, ONE_READER | HAS_PARKED); // as if a writer waited
                rw.rlock();
                second.set(true);
                rw.runlock();
                rw.runlock();
            });
            Threads.awaitParked(reader);
            assertFalse(second.get(), "a thread that holds a read lock took another while a writer waited");
            rw.segment().set(ValueLayout.JAVA_LONG, 0, ONE_READER); // the writer is gone
            Threads.wakeUntilEnded(() -> lot.unparkAll(SegmentWord.firstByteOf(rw)), reader);
        }
        assertTrue(second.get());
        assertEquals(0, rw.bits());
    }

    /**
     * The writer gets neither the write lock again nor a read lock: a
     * {@code _PyRWMutex} is not reentrant, and {@code _PyRWMutex_Lock} and
     * {@code _PyRWMutex_RLock} ({@code Python/lock.c}) wait while the write
     * lock is held, whoever holds it, so that in C the writer waits for
     * itself for ever. An implementation may refuse the call with
     * {@link IllegalStateException} instead; one that waits as C does is
     * let go (the word cleared, a stray unpark). The writer is a virtual
     * thread, whose park shows in its thread state whatever the
     * implementation waits in.
     */
    @Test
    default void theWriterGetsNeitherTheWriteLockAgainNorAReadLock() {
        Implementation impl = implementation();
        WordLot lot = new WordLot(impl.parkingLot());
        for (boolean read : new boolean[] {false, true}) {
            String second = read ? "rlock" : "lock";
            RWMutex rw = impl.newRWMutex();
            Runnable take = read ? rw::rlock : rw::lock;
            Runnable release = read ? rw::runlock : rw::unlock;
            AtomicBoolean refused = new AtomicBoolean();
            AtomicBoolean entered = new AtomicBoolean();
            boolean wentThrough;
            try (Threads threads = new Threads()) {
                Thread writer = threads.start(Thread.ofVirtual().name("writer"), () -> {
                    rw.lock();
                    try {
                        take.run();
                        entered.set(true);
                    } catch (IllegalStateException refusal) {
                        refused.set(true);
                    }
                    if (entered.get()) {
                        release.run(); // the one lock the word holds
                    } else {
                        rw.unlock();
                    }
                });
                Threads.awaitTrue(() -> refused.get() || entered.get() || Threads.isParked(writer),
                        "the writer's " + second + " to be refused or to wait");
                wentThrough = entered.get();
                if (!wentThrough && !refused.get()) { // it waits for itself, as in C
                    rw.segment().set(ValueLayout.JAVA_LONG, 0, 0);
                    Threads.wakeUntilEnded(() -> lot.unparkAll(SegmentWord.firstByteOf(rw)), writer);
                }
            }
            assertFalse(wentThrough, "the writer's " + second + " went through");
            assertEquals(0, rw.bits(), second);
        }
    }

    /**
     * A read unlock wakes the parked threads only when it was the last
     * reader and a thread has parked: {@code _PyRWMutex_RUnlock}
     * ({@code Python/lock.c}) tests both. With two read locks held and the
     * has-parked bit written into the word, a thread parked on the word through the
     * parking lot sleeps through the first read unlock and is woken by the
     * second.
     */
    @Test
    default void onlyTheLastReadUnlockWakesTheParkedThreads() {
        Implementation impl = implementation();
        WordLot lot = new WordLot(impl.parkingLot());
        RWMutex rw = impl.newRWMutex();
        SegmentWord word = new SegmentWord(rw.segment().asSlice(0, 8));
        long twoReadersParked = 2 * ONE_READER | HAS_PARKED;
        rw.rlock();
        rw.rlock();
        rw.segment().set(ValueLayout.JAVA_LONG, 0, twoReadersParked); // as if a writer had parked
        AtomicReference<ParkStatus> status = new AtomicReference<>();
        try (Threads threads = new Threads()) {
            Thread parker = threads.start("parked-on-the-word", () ->
                    status.set(lot.park(word, twoReadersParked, Threads.HANG, null, false)));
            Threads.awaitParked(parker);
            rw.runlock();
            Threads.sleepMillis(Threads.QUEUE_MILLIS); // time for a wrong implementation's wake-up
            assertNull(status.get(), "a read unlock with a reader left woke the parked threads");
            rw.runlock();
            Threads.join(parker);
        }
        assertEquals(ParkStatus.OK, status.get(), "the last read unlock woke the parked threads");
        assertEquals(HAS_PARKED, rw.bits());
        rw.segment().set(ValueLayout.JAVA_LONG, 0, 0);
    }

    /** Four readers hold the lock at the same time: the count reaches 4 (bits 16). */
    @Test
    default void readersShareTheLock() {
        Implementation impl = implementation();
        RWMutex rw = impl.newRWMutex();
        PyEvent release = impl.newEvent();
        try (Threads threads = new Threads()) {
            for (int r = 0; r < 4; r++) {
                threads.start("reader-" + r, () -> {
                    rw.rlock();
                    release.await();
                    rw.runlock();
                });
            }
            Threads.awaitBits(rw::bits, 4 * ONE_READER, "four readers inside at once");
            release.set();
        }
        assertEquals(0, rw.bits());
    }

    /**
     * A writer that finds another thread writing parks (write-locked, has
     * parked: 3) until that writer unlocks, then takes the lock:
     * {@code _PyRWMutex_Lock} waits ({@code Python/lock.c}); only the
     * thread that holds the write lock itself is refused.
     */
    @Test
    default void aWriterWaitsBehindAnotherWriter() {
        RWMutex rw = implementation().newRWMutex();
        AtomicReference<Long> inside = new AtomicReference<>();
        rw.lock();
        try (Threads threads = new Threads()) {
            threads.start("second-writer", () -> {
                rw.lock();
                inside.set(rw.bits());
                rw.unlock();
            });
            Threads.awaitBits(rw::bits, WRITE_LOCKED | HAS_PARKED, "the second writer to park");
            rw.unlock();
        }
        assertEquals(WRITE_LOCKED, inside.get(), "the second writer's lock, once the first unlocked");
        assertEquals(0, rw.bits());
    }

    /** Writers exclude readers and each other: no reader sees a writer inside, no increment is lost. */
    @Test
    default void writersExcludeEveryone() {
        Implementation impl = implementation();
        RWMutex rw = impl.newRWMutex();
        AtomicInteger writersInside = new AtomicInteger();
        AtomicInteger violations = new AtomicInteger();
        long[] counter = {0};
        int writers = 2;
        int writes = 2_000;
        try (Threads threads = new Threads()) {
            for (int w = 0; w < writers; w++) {
                threads.start("writer-" + w, () -> {
                    for (int i = 0; i < writes; i++) {
                        rw.lock();
                        if (writersInside.incrementAndGet() != 1) {
                            violations.incrementAndGet();
                        }
                        counter[0]++;
                        writersInside.decrementAndGet();
                        rw.unlock();
                    }
                });
            }
            for (int r = 0; r < 2; r++) {
                threads.start("reader-" + r, () -> {
                    for (int i = 0; i < writes; i++) {
                        rw.rlock();
                        if (writersInside.get() != 0) {
                            violations.incrementAndGet();
                        }
                        rw.runlock();
                    }
                });
            }
        }
        assertEquals(0, violations.get());
        rw.lock();
        assertEquals((long) writers * writes, counter[0]);
        rw.unlock();
        assertEquals(0, rw.bits());
    }

    /** Releasing a read lock the thread does not hold throws, and the lock stays usable. */
    @Test
    default void runlockWithoutReadLockThrows() {
        RWMutex rw = implementation().newRWMutex();
        assertThrows(IllegalMonitorStateException.class, rw::runlock);
        assertEquals(0, rw.bits());
        rw.rlock();
        try (Threads threads = new Threads()) {
            threads.start("not-a-reader", () -> assertThrows(IllegalMonitorStateException.class, rw::runlock));
        }
        assertEquals(ONE_READER, rw.bits(), "the refused release changed nothing");
        rw.runlock();
        rw.lock();
        rw.unlock();
        assertEquals(0, rw.bits());
    }

    /**
     * A read lock refused because its wait could not suspend the thread's
     * critical sections (a section's mutex was unlocked outside it; see
     * {@link org.cpylock.api.CriticalSection}) holds nothing: the thread's
     * {@code runlock} is refused, and once its section is whole again and
     * the writer has left, the thread takes the write lock and a read lock
     * like any other (free-threaded). An implementation that waits without
     * suspending the sections gives it the read lock once the writer leaves.
     */
    @Test
    default void aReadLockRefusedForSectionsThatCannotBeSuspendedHoldsNothing() {
        Implementation impl = implementation();
        assumeTrue(impl.freeThreaded(), "sections lock nothing in the default build");
        RWMutex rw = impl.newRWMutex();
        PyMutex guarded = impl.newMutex();
        PyEvent writerGone = impl.newEvent();
        AtomicReference<Boolean> refused = new AtomicReference<>();
        try (Threads threads = new Threads()) {
            rw.lock();
            threads.start("reader", () -> {
                CriticalSection section = impl.beginCriticalSection(guarded);
                guarded.unlock();
                try {
                    rw.rlock();
                    refused.set(false);
                } catch (IllegalStateException e) {
                    refused.set(true);
                } finally {
                    guarded.lock();
                    section.end();
                }
                if (refused.get()) {
                    assertThrows(IllegalMonitorStateException.class, rw::runlock, "the refused read lock's release");
                    assertTrue(writerGone.await(Threads.HANG));
                    rw.lock();
                    rw.unlock();
                    rw.rlock();
                }
                rw.runlock();
            });
            Threads.awaitTrue(() -> refused.get() != null || (rw.bits() & HAS_PARKED) != 0,
                    "the reader to be refused or to wait");
            rw.unlock();
            writerGone.set();
        }
        assertEquals(0, rw.bits());
    }

    /** Releasing the write lock without holding it throws, and the lock stays usable. */
    @Test
    default void unlockWithoutWriteLockThrows() {
        RWMutex rw = implementation().newRWMutex();
        assertThrows(IllegalMonitorStateException.class, rw::unlock);
        rw.rlock();
        assertThrows(IllegalMonitorStateException.class, rw::unlock, "a read lock is not the write lock");
        assertEquals(ONE_READER, rw.bits());
        rw.runlock();
        rw.lock();
        try (Threads threads = new Threads()) {
            threads.start("not-the-writer", () -> assertThrows(IllegalMonitorStateException.class, rw::unlock));
        }
        assertEquals(WRITE_LOCKED, rw.bits());
        rw.unlock();
        assertEquals(0, rw.bits());
    }

    /**
     * The reader count is the state word's bits 2 and up, a {@code uintptr_t}:
     * from 2<sup>31</sup> - 1, 2<sup>32</sup> - 1, 2<sup>61</sup> - 1 and 2<sup>62</sup> - 2
     * readers (where a 32-bit or signed count breaks) a reader still comes
     * and goes by one, and a writer still waits behind them all until the
     * last one leaves.
     */
    @Test
    default void readerCountsUseTheWholeWord() {
        Implementation impl = implementation();
        for (long readers : new long[]{(1L << 31) - 1, (1L << 32) - 1, (1L << 61) - 1, (1L << 62) - 2}) {
            String with = "with " + readers + " readers";
            RWMutex rw = impl.newRWMutex();
            rw.segment().set(ValueLayout.JAVA_LONG, 0, readers * ONE_READER);
            rw.rlock();
            assertEquals((readers + 1) * ONE_READER, rw.bits(), with);
            assertEquals(Long.divideUnsigned(rw.bits(), ONE_READER), rw.readers(), with + ": readers(), unsigned");
            rw.runlock();
            assertEquals(readers * ONE_READER, rw.bits(), with);
            rw.rlock();
            AtomicBoolean written = new AtomicBoolean();
            try (Threads threads = new Threads()) {
                threads.start("writer", () -> {
                    rw.lock();
                    written.set(true);
                    rw.unlock();
                });
                Threads.awaitBits(rw::bits, (readers + 1) * ONE_READER | HAS_PARKED, "the writer to park " + with);
                assertFalse(written.get(), with);
                // All but this thread's reader leave at once (a store: no other thread changes the word now).
                rw.segment().set(ValueLayout.JAVA_LONG, 0, ONE_READER | HAS_PARKED);
                rw.runlock();
            }
            assertTrue(written.get(), with);
            assertEquals(0, rw.bits(), with);
        }
    }

    /**
     * A reader or a writer woken while the mutex is still unavailable (a
     * stray unpark of its address) parks again: it neither takes the mutex
     * nor gives up ({@code _PyRWMutex_RLock}, {@code _PyRWMutex_Lock}).
     */
    @Test
    default void earlyWakeUpsParkAgain() {
        Implementation impl = implementation();
        WordLot lot = new WordLot(impl.parkingLot());
        for (boolean reader : new boolean[]{true, false}) {
            String who = reader ? "a reader behind a writer" : "a writer behind a reader";
            RWMutex rw = impl.newRWMutex();
            AtomicBoolean acquired = new AtomicBoolean();
            if (reader) {
                rw.lock();
            } else {
                rw.rlock();
            }
            long held = reader ? WRITE_LOCKED : ONE_READER;
            try (Threads threads = new Threads()) {
                threads.start("waiter", () -> {
                    if (reader) {
                        rw.rlock();
                        acquired.set(true);
                        rw.runlock();
                    } else {
                        rw.lock();
                        acquired.set(true);
                        rw.unlock();
                    }
                });
                Threads.awaitBits(rw::bits, held | HAS_PARKED, who + " to park");
                EarlyWakeUps.fiveTimes(lot, rw);
                assertFalse(acquired.get(), who + ": woken early, it took the mutex");
                assertEquals(held | HAS_PARKED, rw.bits(), who);
                if (reader) {
                    rw.unlock();
                } else {
                    rw.runlock();
                }
            }
            assertTrue(acquired.get(), who);
            assertEquals(0, rw.bits(), who);
        }
    }

    /**
     * An interrupt does not end a reader's or a writer's wait, and is not
     * lost by it: the thread parks again (however often it must) and takes
     * the lock with its interrupt status still set.
     */
    @Test
    default void anInterruptedWaiterTakesTheLockWithItsInterruptStatusSet() {
        RWMutex rw = implementation().newRWMutex();
        rw.lock();
        boolean readerInterrupted = interruptedWhileWaiting(rw, "reader", rw::rlock, rw::runlock,
                WRITE_LOCKED | HAS_PARKED, rw::unlock);
        rw.rlock();
        boolean writerInterrupted = interruptedWhileWaiting(rw, "writer", rw::lock, rw::unlock,
                ONE_READER | HAS_PARKED, rw::runlock);
        assertTrue(readerInterrupted, "the reader's interrupt was lost while it waited");
        assertTrue(writerInterrupted, "the writer's interrupt was lost while it waited");
        assertEquals(0, rw.bits());
    }

    /**
     * Starts a thread that takes {@code rw} with {@code take} (and releases it), interrupts it once it is
     * parked (the word reads {@code parkedBits}), ends the test thread's hold with {@code end} after the
     * waiter has had time to park again, and returns whether the waiter held the lock still interrupted.
     */
    private static boolean interruptedWhileWaiting(RWMutex rw, String who, Runnable take, Runnable release,
                                                   long parkedBits, Runnable end) {
        AtomicBoolean interrupted = new AtomicBoolean();
        try (Threads threads = new Threads()) {
            Thread waiter = threads.start(who, () -> {
                take.run();
                interrupted.set(Thread.currentThread().isInterrupted());
                release.run();
            });
            Threads.awaitBits(rw::bits, parkedBits, "the " + who + " to park");
            Threads.sleepMillis(Threads.QUEUE_MILLIS);
            waiter.interrupt();
            Threads.sleepMillis(2 * Threads.QUEUE_MILLIS); // it parks again
            end.run();
        }
        return interrupted.get();
    }
}
