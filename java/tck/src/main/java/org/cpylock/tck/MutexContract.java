package org.cpylock.tck;

import org.cpylock.api.CriticalSection;
import org.cpylock.api.Implementation;
import org.cpylock.api.LockFlag;
import org.cpylock.api.LockStatus;
import org.cpylock.api.PyEvent;
import org.cpylock.api.PyMutex;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code PyMutex}: the scenarios of CPython's
 * {@code Modules/_testinternalcapi/test_lock.c} (basic, two_threads, counter,
 * counter_slow) with the same thread counts, iterations and state bytes.
 */
public interface MutexContract extends ImplementationProvider {
    /** State byte: unlocked, nobody parked. */
    int UNLOCKED = 0;
    /** State byte: locked ({@code _Py_LOCKED}, bit 0), nobody parked. */
    int LOCKED = 1;
    /** State byte: locked, with threads parked ({@code _Py_LOCKED | _Py_HAS_PARKED}). */
    int LOCKED_HAS_PARKED = 3;

    /** test_lock_basic: lock and unlock in one thread; bits 1, then 0. */
    @Test
    default void basic() {
        PyMutex m = implementation().newMutex();
        assertEquals(UNLOCKED, m.bits());
        m.lock();
        assertEquals(LOCKED, m.bits());
        m.unlock();
        assertEquals(UNLOCKED, m.bits());
    }

    /**
     * test_lock_two_threads: a second thread parks on the held mutex, so the
     * byte reads 1 until it reads 3 (locked, has parked); after the unlock the
     * second thread locks, unlocks, and the byte is 0.
     */
    @Test
    default void twoThreads() {
        PyMutex m = implementation().newMutex();
        PyEvent done = implementation().newEvent();
        m.lock();
        assertEquals(LOCKED, m.bits());
        try (Threads threads = new Threads()) {
            threads.start("locker", () -> {
                m.lock();
                assertEquals(LOCKED, m.bits());
                m.unlock();
                done.set();
            });
            Threads.awaitTrue(() -> {
                int bits = m.bits();
                assertTrue(bits == LOCKED || bits == LOCKED_HAS_PARKED, "bits " + bits + " while held");
                return bits == LOCKED_HAS_PARKED;
            }, "the second thread to park (bits 3)");
            m.unlock();
            assertTrue(done.await(Threads.HANG), "the second thread finished");
        }
        assertEquals(UNLOCKED, m.bits());
    }

    /** test_lock_counter: 5 threads increment one counter 10,000 times each under the mutex. */
    @Test
    default void counter() {
        runCounter(10_000, false);
    }

    /**
     * test_lock_counter_slow: as counter, 100 iterations each, sleeping 2 ms
     * inside every 7th critical section, so that waiters park for over 1 ms
     * and unlocks hand the mutex off.
     */
    @Test
    default void counterSlow() {
        runCounter(100, true);
    }

    private void runCounter(int iterations, boolean slow) {
        int threadsCount = 5;
        PyMutex m = implementation().newMutex();
        long[] counter = {0};
        try (Threads threads = new Threads()) {
            for (int t = 0; t < threadsCount; t++) {
                threads.start("counter-" + t, () -> {
                    for (int i = 0; i < iterations; i++) {
                        m.lock();
                        if (slow && i % 7 == 0) {
                            Threads.sleepMillis(2);
                        }
                        counter[0]++;
                        m.unlock();
                    }
                });
            }
        }
        m.lock();
        assertEquals((long) threadsCount * iterations, counter[0]);
        m.unlock();
        assertEquals(UNLOCKED, m.bits());
    }

    /** A second tryLock on a held mutex fails and leaves the byte at 1. */
    @Test
    default void secondTryLockFails() {
        PyMutex m = implementation().newMutex();
        assertTrue(m.tryLock());
        assertFalse(m.tryLock());
        assertEquals(LOCKED, m.bits());
        assertTrue(m.isLocked());
        m.unlock();
        assertFalse(m.isLocked());
    }

    /**
     * {@code mutexAt} refuses memory that cannot hold the state byte's
     * aligned word: heap or read-only memory, a negative offset, and an
     * offset at or past the end of the segment however large (one whose
     * sum with the word's size overflows a {@code long} included).
     */
    @Test
    default void mutexAtRefusesMemoryThatCannotHoldTheByte() {
        Implementation impl = implementation();
        MemorySegment struct = Arena.ofAuto().allocate(8, 8);
        assertThrows(IllegalArgumentException.class, () -> impl.mutexAt(MemorySegment.ofArray(new byte[8]), 0),
                "heap memory");
        assertThrows(IllegalArgumentException.class, () -> impl.mutexAt(struct.asReadOnly(), 0), "read-only memory");
        for (long offset : new long[]{-1, Long.MIN_VALUE, 8, 9, Long.MAX_VALUE, Long.MAX_VALUE - 3, Long.MAX_VALUE - 7}) {
            assertThrows(IllegalArgumentException.class, () -> impl.mutexAt(struct, offset), "offset " + offset);
        }
        PyMutex last = impl.mutexAt(struct, 7);
        last.lock();
        assertEquals(1, struct.get(ValueLayout.JAVA_BYTE, 7));
        last.unlock();
    }

    /**
     * {@code mutexAt} refuses a segment that holds the state byte but not
     * the whole aligned 4-byte word around it, through which a Java
     * implementation may update the byte: the byte alone, or a slice that
     * begins or ends inside the word, and the refusal writes nothing to the
     * memory. A slice of the whole word makes a mutex at its byte.
     */
    @Test
    default void mutexAtRefusesASliceWithoutTheWholeAlignedWordOfItsByte() {
        Implementation impl = implementation();
        MemorySegment struct = Arena.ofAuto().allocate(8, 8);
        struct.fill((byte) 0x5A);
        long[][] slices = {{5, 1, 0}, {4, 2, 1}, {5, 3, 0}, {0, 7, 6}, {6, 2, 1}}; // start, size, offset in it
        for (long[] slice : slices) {
            String what = "byte " + (slice[0] + slice[2]) + " through a slice of bytes " + slice[0] + " to "
                    + (slice[0] + slice[1] - 1) + " of an aligned struct";
            assertThrows(IllegalArgumentException.class,
                    () -> impl.mutexAt(struct.asSlice(slice[0], slice[1]), slice[2]), what);
        }
        for (long i = 0; i < struct.byteSize(); i++) {
            assertEquals((byte) 0x5A, struct.get(ValueLayout.JAVA_BYTE, i), "a refusal wrote byte " + i);
        }
        struct.fill((byte) 0);
        PyMutex third = impl.mutexAt(struct.asSlice(4, 4), 2);
        assertTrue(third.tryLock());
        assertEquals(LOCKED, struct.get(ValueLayout.JAVA_BYTE, 6));
        third.unlock();
        assertEquals(UNLOCKED, struct.get(ValueLayout.JAVA_BYTE, 6));
    }

    /**
     * Any thread may unlock a mutex, and through any object over its byte:
     * {@code PyMutex_Unlock} ({@code Include/cpython/lock.h}, and
     * {@code _PyMutex_TryUnlock} in {@code Python/lock.c}) knows no owner,
     * only the byte, and the byte's waiters are the mutex's whatever object
     * they came through ({@code Implementation.mutexAt}). A mutex another
     * thread locked is unlocked by this one; a mutex locked through one
     * object is unlocked through another; and an unlock through one object
     * hands the mutex to a waiter that came through the other and has waited
     * over 1 ms.
     */
    @Test
    default void anyThreadMayUnlockAMutexThroughAnyObjectOverItsByte() {
        Implementation impl = implementation();
        PyMutex m = impl.newMutex();
        assertTrue(Threads.bounded("locker", m::tryLock));
        m.unlock();
        assertEquals(UNLOCKED, m.bits(), "unlocked by another thread than the one that locked it");
        MemorySegment struct = Arena.ofAuto().allocate(4, 4);
        PyMutex first = impl.mutexAt(struct, 2);
        PyMutex second = impl.mutexAt(struct, 2);
        first.lock();
        second.unlock();
        assertEquals(UNLOCKED, first.bits(), "unlocked through another object than the one that locked it");
        assertHandedOffAfterWaiting(first, second, Threads.QUEUE_MILLIS);
    }

    /**
     * A mutex at any byte of a struct, reached through a slice that starts
     * at any byte: each lock, try-lock and unlock changes that byte and no
     * other, as C updates the byte alone
     * ({@code _Py_atomic_compare_exchange_uint8} in {@code PyMutex_Lock},
     * {@code Include/cpython/lock.h}, and in {@code Python/lock.c}).
     * The bytes around it are 0xA5, which a mutex reading the wrong byte
     * takes for locked.
     */
    @Test
    default void aMutexAtAnyByteOfAStructChangesThatByteOnly() {
        Implementation impl = implementation();
        for (int base = 0; base < 4; base++) {
            for (int index = 0; index < 4; index++) {
                MemorySegment struct = Arena.ofAuto().allocate(12, 4);
                struct.fill((byte) 0xA5);
                long at = 4 + index;
                struct.set(ValueLayout.JAVA_BYTE, at, (byte) 0);
                PyMutex m = impl.mutexAt(struct.asSlice(base), at - base);
                String where = "a mutex at byte " + index + " of its word, through a slice from byte " + base;
                assertTrue(m.tryLock(), where + ": tryLock");
                assertStructBytes(struct, at, LOCKED, where + ", locked");
                assertEquals(LockStatus.FAILURE, Threads.bounded(where, () -> m.lockTimed(Duration.ZERO)), where);
                m.unlock();
                assertStructBytes(struct, at, UNLOCKED, where + ", unlocked");
                assertEquals(LockStatus.ACQUIRED, m.lockTimed(Duration.ZERO), where + ": lockTimed(0)");
                assertEquals(LOCKED, m.bits(), where);
                m.unlock();
                assertStructBytes(struct, at, UNLOCKED, where + ", unlocked again");
            }
        }
    }

    private static void assertStructBytes(MemorySegment struct, long at, int mutex, String what) {
        for (long i = 0; i < struct.byteSize(); i++) {
            assertEquals(i == at ? (byte) mutex : (byte) 0xA5, struct.get(ValueLayout.JAVA_BYTE, i),
                    what + ": byte " + i + " of the struct");
        }
    }

    /**
     * A mutex in the middle of a 4-byte word whose other bytes another
     * thread keeps writing, as C code writes a struct's other fields: every
     * lock, try-lock and unlock changes the mutex's byte and only it, and
     * each one does change it. A port that updates the byte through its
     * whole word must neither write back a neighbour's old value nor take a
     * neighbour's change for its own failure or success.
     */
    @Test
    default void aMutexBesideBytesAnotherThreadWritesChangesItsByteOnly() {
        MemorySegment struct = Arena.ofAuto().allocate(12, 4);
        PyMutex mutex = implementation().mutexAt(struct.asSlice(1), 5); // byte 2 of the word at 4
        VarHandle bytes = ValueLayout.JAVA_BYTE.varHandle();
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger writes = new AtomicInteger();
        try (Threads threads = new Threads()) {
            Thread neighbour = threads.start("neighbour", () -> {
                for (int i = 1; !done.get(); i++) {
                    for (long offset : new long[] {4, 5, 7}) {
                        bytes.setVolatile(struct, offset, (byte) i);
                        assertEquals((byte) i, (byte) bytes.getVolatile(struct, offset),
                                "a mutex operation wrote an old value over byte " + offset + " of the struct");
                    }
                    writes.lazySet(i);
                }
            });
            try {
                Threads.awaitTrue(() -> writes.get() > 0, "the neighbour thread to write");
                int start = writes.get();
                for (int i = 0; i < 50_000 || writes.get() - start < 50_000 && neighbour.isAlive(); i++) {
                    mutex.lock();
                    assertEquals(1, mutex.bits(), "lock");
                    assertFalse(mutex.tryLock(), "tryLock of the locked mutex");
                    mutex.unlock();
                    assertEquals(0, mutex.bits(), "unlock");
                    assertTrue(mutex.tryLock(), "tryLock of the unlocked mutex");
                    mutex.unlock();
                }
            } finally {
                done.set(true);
            }
        }
    }

    /**
     * Unlocking a mutex that is not locked (CPython's fatal error in
     * {@code PyMutex_Unlock}) throws and changes nothing, whether the byte
     * is 0 or 2 (unlocked with waiters parked, as an unlock that woke one of
     * several waiters without handing it the mutex leaves it). Neither byte
     * is locked to {@code isLocked}, which reads bit 0 alone
     * ({@code PyMutex_IsLocked}, {@code Include/internal/pycore_lock.h}).
     */
    @Test
    default void unlockingAMutexThatIsNotLockedThrows() {
        PyMutex m = implementation().newMutex();
        for (int bits : new int[] {UNLOCKED, 2}) { // 2: has-parked, not locked
            m.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) bits);
            assertFalse(m.isLocked(), "byte " + bits + " is not locked");
            assertThrows(IllegalMonitorStateException.class, m::unlock, "byte " + bits);
            assertEquals(bits, m.bits(), "the refused unlock changed the byte");
        }
    }

    /**
     * A mutex that is unlocked with waiters parked (byte 2, as a timed-out
     * waiter leaves it) is free: every way of locking takes it at once and
     * keeps the has-parked bit (byte 3), as {@code _PyMutex_LockTimed} tests
     * only {@code _Py_LOCKED} ({@code Python/lock.c}), and the mutex is
     * locked to {@code isLocked}; the unlock, finding nobody parked, leaves 0.
     */
    @Test
    default void everyLockFormTakesAMutexThatIsUnlockedWithWaitersParked() {
        PyMutex m = implementation().newMutex();
        Map<String, Supplier<Boolean>> forms = new LinkedHashMap<>();
        forms.put("tryLock", m::tryLock);
        forms.put("lockTimed(0)", () -> m.lockTimed(Duration.ZERO) == LockStatus.ACQUIRED);
        forms.put("lockTimed(20 ms)", () -> m.lockTimed(Duration.ofMillis(20)) == LockStatus.ACQUIRED);
        forms.put("lock", () -> {
            m.lock();
            return true;
        });
        forms.forEach((form, lock) -> {
            m.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 2); // has-parked, not locked
            assertTrue(Threads.bounded(form, () -> {
                boolean acquired = lock.get();
                if (acquired) {
                    assertEquals(LOCKED_HAS_PARKED, m.bits(), form + " keeps the has-parked bit");
                    assertTrue(m.isLocked(), form + ": byte 3 is locked");
                    m.unlock();
                }
                return acquired;
            }), form + " of a mutex whose byte is 2");
            assertEquals(UNLOCKED, m.bits(), "the unlock after " + form + " found nobody parked");
        });
    }

    /** lockTimed with a zero timeout on a held mutex fails without parking. */
    @Test
    default void lockTimedZeroFailsOnHeldMutex() {
        PyMutex m = implementation().newMutex();
        m.lock();
        assertEquals(LockStatus.FAILURE, Threads.bounded("zero-timeout", () -> m.lockTimed(Duration.ZERO)));
        assertEquals(LOCKED, m.bits());
        m.unlock();
        assertEquals(LockStatus.ACQUIRED, m.lockTimed(Duration.ZERO));
        m.unlock();
    }

    /** lockTimed on a mutex held by another thread returns FAILURE once the timeout has passed. */
    @Test
    default void lockTimedTimesOut() {
        PyMutex m = implementation().newMutex();
        m.lock();
        AtomicInteger status = new AtomicInteger(-1);
        long[] elapsedNs = {0};
        try (Threads threads = new Threads()) {
            threads.start("timed-locker", () -> {
                long start = System.nanoTime();
                status.set(m.lockTimed(Duration.ofMillis(20)).ordinal());
                elapsedNs[0] = System.nanoTime() - start;
            });
        }
        assertEquals(LockStatus.FAILURE.ordinal(), status.get());
        assertTrue(elapsedNs[0] >= Duration.ofMillis(15).toNanos(), "gave up after " + elapsedNs[0] + " ns");
        // The waiter parked, so the byte keeps _Py_HAS_PARKED after it left, as in CPython.
        assertEquals(LOCKED_HAS_PARKED, m.bits());
        m.unlock();
        assertEquals(UNLOCKED, m.bits());
    }

    /** A timed lock with a timeout too long for nanoseconds waits until the holder unlocks. */
    @Test
    default void lockTimedWithATimeoutOfCenturiesWaits() {
        for (Duration timeout : LongTimeouts.CENTURIES) {
            PyMutex m = implementation().newMutex();
            AtomicReference<LockStatus> status = new AtomicReference<>();
            m.lock();
            try (Threads threads = new Threads()) {
                threads.start("timed-locker", () -> {
                    status.set(m.lockTimed(timeout));
                    if (status.get() == LockStatus.ACQUIRED) {
                        m.unlock();
                    }
                });
                Threads.sleepMillis(2 * Threads.QUEUE_MILLIS);
                m.unlock();
            }
            assertEquals(LockStatus.ACQUIRED, status.get(), "a timed lock with a timeout of " + timeout);
        }
    }

    /**
     * A timed lock with a negative timeout waits until it has the mutex:
     * {@code _PyMutex_LockTimed} ({@code Python/lock.c}) sets no deadline
     * for a negative timeout and parks again without limit after every
     * wake-up that did not hand it the mutex. For -1 ns, -1 s and a negative
     * timeout too long for nanoseconds, a waiter woken early (stray unparks
     * of the mutex's address) waits on, and takes the mutex once it is
     * unlocked.
     */
    @Test
    default void lockTimedWithANegativeTimeoutWaitsUntilAcquired() {
        Implementation impl = implementation();
        WordLot lot = new WordLot(impl.parkingLot());
        for (Duration timeout : LongTimeouts.NEGATIVE) {
            PyMutex m = impl.newMutex();
            m.lock();
            String what = "lockTimed(" + timeout + ")";
            assertEquals(LockStatus.ACQUIRED, EarlyWakeUps.fiveTimesThenRelease(lot, m,
                    () -> lockTimedAndRelease(m, timeout), () -> m.bits() == LOCKED_HAS_PARKED, m::unlock, what), what);
            assertEquals(UNLOCKED, m.bits(), what);
        }
    }

    /** {@code lockTimed}, releasing the mutex at once if it was acquired: for a lock whose result alone matters. */
    private static LockStatus lockTimedAndRelease(PyMutex m, Duration timeout, LockFlag... flags) {
        LockStatus status = m.lockTimed(timeout, flags);
        if (status == LockStatus.ACQUIRED) {
            m.unlock();
        }
        return status;
    }

    /**
     * Hand-off: a waiter parked for over 1 ms receives the mutex directly on
     * unlock; the byte goes from 3 to 1 and never reads 0 in between (a
     * sampling thread watches it throughout).
     */
    @Test
    default void handOffToAWaiterParkedOverOneMillisecond() {
        PyMutex m = implementation().newMutex();
        PyEvent acquired = implementation().newEvent();
        PyEvent release = implementation().newEvent();
        AtomicBoolean sawUnlocked = new AtomicBoolean();
        AtomicBoolean sampling = new AtomicBoolean(true);
        m.lock();
        try (Threads threads = new Threads()) {
            threads.start("waiter", () -> {
                m.lock();
                acquired.set();
                assertTrue(release.await(Threads.HANG));
                m.unlock();
            });
            Threads.awaitBits(m::bits, LOCKED_HAS_PARKED, "the waiter to park");
            Threads.sleepMillis(50); // well over TIME_TO_BE_FAIR_NS (1 ms)
            Thread sampler = threads.start("sampler", () -> {
                while (sampling.get()) {
                    if ((m.bits() & LOCKED) == 0) {
                        sawUnlocked.set(true);
                    }
                }
            });
            m.unlock();
            assertEquals(LOCKED, m.bits(), "right after unlock the waiter already holds the mutex");
            assertTrue(acquired.await(Threads.HANG));
            sampling.set(false);
            Threads.join(sampler); // before the waiter unlocks
            release.set();
        }
        assertFalse(sawUnlocked.get(), "the byte passed through unlocked during the hand-off");
        assertEquals(UNLOCKED, m.bits());
    }

    /**
     * The hand-off threshold is 1 ms, not more: a waiter parked for a few
     * milliseconds (well under 10) receives the mutex, so the unlocking
     * thread cannot take it straight back with {@code tryLock}. (A slow
     * machine only makes the wait longer, which still hands off.)
     */
    @Test
    default void handOffOnceTheWaiterHasWaitedOneMillisecond() {
        PyMutex m = implementation().newMutex();
        assertHandedOffAfterWaiting(m, m, 3);
    }

    /**
     * However long a waiter has waited, an unlock hands it the mutex: the
     * wait is compared with its fairness time as a 64-bit difference of
     * nanoseconds ({@code now > entry->time_to_be_fair} in
     * {@code mutex_unpark}, {@code Python/lock.c}), so 2.6 s, past the
     * 2^31 ns (2.15 s) a 32-bit difference holds, still hands it over.
     */
    @Test
    default void handOffToAWaiterThatHasWaitedSeconds() {
        PyMutex m = implementation().newMutex();
        assertHandedOffAfterWaiting(m, m, 2_600);
    }

    /**
     * Parks a waiter on the mutex, through {@code waiterSide}, for about
     * {@code millis}, then unlocks it through {@code m} (the same object, or
     * another over the same byte): the unlocking thread's {@code tryLock}
     * straight after must fail, the mutex handed over.
     */
    private static void assertHandedOffAfterWaiting(PyMutex m, PyMutex waiterSide, long millis) {
        AtomicBoolean release = new AtomicBoolean();
        m.lock();
        try (Threads threads = new Threads()) {
            threads.start("waiter", () -> {
                waiterSide.lock();
                Threads.awaitTrue(release::get, "the test to let the waiter unlock");
                waiterSide.unlock();
            });
            Threads.awaitBits(m::bits, LOCKED_HAS_PARKED, "the waiter to park");
            Threads.sleepMillis(millis);
            m.unlock();
            boolean barged = m.tryLock();
            if (barged) {
                m.unlock(); // lets the waiter finish, so the failure below is reported
            }
            release.set(true);
            assertFalse(barged, "the unlock did not hand the mutex to a waiter parked for about " + millis + " ms");
        }
        assertEquals(UNLOCKED, m.bits());
    }

    /**
     * The 1 ms of fairness is counted once, from the waiter's attempt: an
     * unlock hands the mutex to a waiter that has waited between 1 and 2 ms
     * ({@code mutex_unpark} compares the time with the entry's
     * {@code time_to_be_fair}, the attempt's start plus
     * {@code TIME_TO_BE_FAIR_NS}, {@code Python/lock.c}). The window is
     * timed with {@link System#nanoTime()}, the monotonic clock CPython
     * reads: the unlock comes over 1 ms after the byte showed the waiter
     * parked, and under 2 ms after the waiter was let go. An attempt that
     * misses the window (a busy machine) decides nothing. The byte shows
     * the has-parked bit just before the waiter queues itself, so a waiter
     * preempted in between is not yet there to be handed the mutex: one
     * such attempt is forgiven, and the case fails once three attempts in
     * the window did not hand it over before three did.
     */
    @Test
    default void handOffToAWaiterThatHasWaitedBetweenOneAndTwoMilliseconds() {
        PyMutex m = implementation().newMutex();
        long millisecond = 1_000_000;
        long margin = 50_000;
        int handedOver = 0;
        int notHandedOver = 0;
        for (int attempt = 0; attempt < 200 && handedOver < 3 && notHandedOver < 3; attempt++) {
            AtomicBoolean ready = new AtomicBoolean();
            AtomicBoolean go = new AtomicBoolean();
            AtomicBoolean tried = new AtomicBoolean();
            boolean inWindow;
            boolean barged;
            m.lock();
            try (Threads threads = new Threads()) {
                threads.start("waiter", () -> {
                    ready.set(true);
                    while (!go.get()) {
                        Thread.onSpinWait();
                    }
                    m.lock();
                    while (!tried.get()) { // holds a mutex handed over until the tryLock below
                        Thread.onSpinWait();
                    }
                    m.unlock();
                });
                while (!ready.get()) {
                    Thread.onSpinWait();
                }
                long start = System.nanoTime();
                go.set(true);
                while (m.bits() != LOCKED_HAS_PARKED && System.nanoTime() - start < millisecond) {
                    Thread.onSpinWait();
                }
                boolean parked = m.bits() == LOCKED_HAS_PARKED;
                long seenParked = System.nanoTime(); // the waiter's attempt began before this
                while (System.nanoTime() - seenParked < millisecond + margin) {
                    Thread.onSpinWait();
                }
                m.unlock();
                inWindow = parked && System.nanoTime() - start < 2 * millisecond - margin;
                barged = m.tryLock();
                tried.set(true);
                if (barged) {
                    m.unlock();
                }
            }
            if (inWindow && barged) {
                notHandedOver++;
            } else if (inWindow) {
                handedOver++;
            }
        }
        assertTrue(notHandedOver < 3, "in " + notHandedOver + " attempts (against " + handedOver + ") the unlock"
                + " did not hand the mutex to a waiter that had waited over 1 ms and under 2 ms");
        assumeTrue(handedOver > 0, "the unlock never came between 1 and 2 ms into the wait (a busy machine)");
        assertEquals(UNLOCKED, m.bits());
    }

    /**
     * An interrupt ends a wait with {@link LockFlag#HANDLE_SIGNALS}
     * ({@code PY_LOCK_INTR}, the mutex not taken) and not one without it,
     * which takes the mutex once it is unlocked.
     */
    @Test
    default void anInterruptEndsOnlyAWaitThatHandlesSignals() {
        Implementation impl = implementation();
        assumeTrue(impl.interruptsEndWaits(), "interrupts do not reach waits in " + impl.name());
        PyMutex m = impl.newMutex();
        AtomicReference<LockStatus> handling = new AtomicReference<>();
        AtomicReference<LockStatus> plain = new AtomicReference<>();
        AtomicBoolean handlingStillInterrupted = new AtomicBoolean();
        AtomicBoolean plainStillInterrupted = new AtomicBoolean();
        m.lock();
        try (Threads threads = new Threads()) {
            Thread first = threads.start("handles-signals", () -> {
                handling.set(m.lockTimed(Threads.HANG, LockFlag.HANDLE_SIGNALS));
                handlingStillInterrupted.set(Thread.currentThread().isInterrupted());
            });
            Threads.awaitBits(m::bits, LOCKED_HAS_PARKED, "the waiter to park");
            first.interrupt();
            Threads.join(first);
            assertEquals(LockStatus.INTERRUPTED, handling.get());
            assertTrue(handlingStillInterrupted.get(), "the wait the interrupt ended cleared the interrupt status");
            assertTrue(m.isLocked(), "the interrupted waiter did not take the mutex from its holder");

            Thread second = threads.start("plain", () -> {
                plain.set(m.lockTimed(Threads.HANG));
                plainStillInterrupted.set(Thread.currentThread().isInterrupted());
                if (plain.get() == LockStatus.ACQUIRED) {
                    m.unlock();
                }
            });
            Threads.sleepMillis(20); // parked or not yet: either way the interrupt must not end its wait
            second.interrupt();
            Threads.sleepMillis(50);
            assertNull(plain.get(), "an interrupt ended a wait without HANDLE_SIGNALS");
            m.unlock();
            Threads.join(second);
            assertEquals(LockStatus.ACQUIRED, plain.get());
            assertTrue(plainStillInterrupted.get(), "the wait the interrupt did not end cleared the interrupt status");
        }
        assertEquals(UNLOCKED, m.bits());
    }

    /**
     * An interrupt pending when a lock with {@link LockFlag#HANDLE_SIGNALS}
     * begins does not keep it from a free mutex: {@code _PyMutex_LockTimed}
     * ({@code Python/lock.c}) tries the byte first and handles signals only
     * after a park ends. The interrupt status stays set.
     */
    @Test
    default void anInterruptedThreadStillTakesAFreeMutex() {
        PyMutex m = implementation().newMutex();
        InterruptedCall<LockStatus> lock = InterruptedCall.run("interrupted",
                () -> lockTimedAndRelease(m, Threads.HANG, LockFlag.HANDLE_SIGNALS), caller -> { });
        assertEquals(LockStatus.ACQUIRED, lock.result());
        assertTrue(lock.stillInterrupted(), "the lock cleared the interrupt status");
        assertEquals(UNLOCKED, m.bits());
    }

    /**
     * An interrupt pending when a lock with {@link LockFlag#HANDLE_SIGNALS}
     * has to wait for a held mutex ends that wait: the park reports it
     * ({@code ParkingLot.park}: "interrupted before or while parked"), and
     * {@code _PyMutex_LockTimed} ({@code Python/lock.c}) returns
     * {@code PY_LOCK_INTR} once the pending calls fail. The interrupt status
     * stays set, and the holder still has the mutex. (Whether the waiter set
     * the has-parked bit on its way is not asserted: C does, an
     * implementation that sees the interrupt before it would park need not.)
     */
    @Test
    default void aHandleSignalsLockOfAHeldMutexByAnInterruptedThreadIsInterrupted() {
        Implementation impl = implementation();
        assumeTrue(impl.interruptsEndWaits(), "interrupts do not reach waits in " + impl.name());
        PyMutex m = impl.newMutex();
        m.lock();
        InterruptedCall<LockStatus> lock = InterruptedCall.run("interrupted-locker",
                () -> lockTimedAndRelease(m, Threads.HANG, LockFlag.HANDLE_SIGNALS), caller -> m.unlock());
        assertEquals(LockStatus.INTERRUPTED, lock.result(), "an interrupt pending when the lock would wait");
        assertTrue(lock.stillInterrupted(), "the lock cleared the interrupt status");
        assertTrue(m.isLocked(), "the holder lost the mutex");
        m.unlock();
        assertEquals(UNLOCKED, m.bits());
    }

    /**
     * A lock with a zero timeout of a held mutex fails, also with
     * {@link LockFlag#HANDLE_SIGNALS} for an interrupted thread:
     * {@code _PyMutex_LockTimed} ({@code Python/lock.c}) returns
     * {@code PY_LOCK_FAILURE} for a timeout of 0 before it would park, so no
     * wait exists for the interrupt to end ({@link LockStatus#FAILURE}: "the
     * timeout expired (or was zero)"). The interrupt status stays set, and
     * the byte stays 1: nothing parked.
     */
    @Test
    default void aZeroTimeoutLockOfAHeldMutexFailsEvenForAnInterruptedThread() {
        PyMutex m = implementation().newMutex();
        m.lock();
        for (LockFlag[] flags : new LockFlag[][] {{LockFlag.HANDLE_SIGNALS}, {}}) {
            String what = "lockTimed(0, " + Arrays.toString(flags) + ") by an interrupted thread";
            InterruptedCall<LockStatus> lock = InterruptedCall.run("interrupted-zero-timeout",
                    () -> lockTimedAndRelease(m, Duration.ZERO, flags), caller -> m.unlock());
            assertEquals(LockStatus.FAILURE, lock.result(), what);
            assertTrue(lock.stillInterrupted(), what + " cleared the interrupt status");
            assertEquals(LOCKED, m.bits(), what);
        }
        m.unlock();
        assertEquals(UNLOCKED, m.bits());
    }

    /**
     * Every value of the state byte occurs: 0 and 1 alone, 3 with parked
     * waiters, and 2 (unlocked, waiters still parked) when an unlock wakes one
     * of several waiters without handing off. Four threads contend with
     * critical sections of about 50 us while a sampler records the values seen.
     */
    @Test
    default void everyStateByteOccurs() {
        PyMutex m = implementation().newMutex();
        boolean[] seen = new boolean[4];
        AtomicBoolean running = new AtomicBoolean(true);
        try (Threads threads = new Threads()) {
            for (int t = 0; t < 4; t++) {
                threads.start("contender-" + t, () -> {
                    while (running.get()) {
                        m.lock();
                        long until = System.nanoTime() + 50_000;
                        while (System.nanoTime() < until) {
                            Thread.onSpinWait();
                        }
                        m.unlock();
                    }
                });
            }
            long deadline = System.nanoTime() + Threads.HANG.toNanos();
            while (!(seen[0] && seen[1] && seen[2] && seen[3]) && System.nanoTime() < deadline) {
                int bits = m.bits();
                assertTrue(bits >= 0 && bits <= 3, "state byte " + bits);
                seen[bits] = true;
            }
            running.set(false);
        }
        assertTrue(seen[0] && seen[1] && seen[2] && seen[3],
                "values seen: 0=" + seen[0] + " 1=" + seen[1] + " 2=" + seen[2] + " 3=" + seen[3]);
    }

    /**
     * A timeout under a millisecond is a timeout, not "do not wait": the
     * waiter sets the has-parked bit and parks for it
     * ({@code _PyMutex_LockTimed} returns at once only for a timeout of 0),
     * and the bit stays after it gives up, until an unlock clears it.
     */
    @Test
    default void aTimeoutUnderAMillisecondParks() {
        for (Duration timeout : new Duration[]{Duration.ofNanos(1), Duration.ofNanos(900_000)}) {
            PyMutex mutex = implementation().newMutex();
            mutex.lock();
            AtomicReference<LockStatus> status = new AtomicReference<>();
            try (Threads threads = new Threads()) {
                threads.start("timed-waiter", () -> status.set(mutex.lockTimed(timeout)));
            }
            assertEquals(LockStatus.FAILURE, status.get(), "timeout " + timeout);
            assertEquals(LOCKED_HAS_PARKED, mutex.bits(), "timeout " + timeout + ": the waiter parked");
            mutex.unlock();
            assertEquals(UNLOCKED, mutex.bits());
        }
    }

    /**
     * A waiter woken without the mutex parks again with the same entry: one
     * {@code struct mutex_entry} per call of {@code _PyMutex_LockTimed}
     * ({@code Python/lock.c}), so its 1 ms fairness clock runs from its first
     * attempt, not from its latest park. Two stray unparks of the mutex's
     * address, one before and one after the waiter parked again, see the same
     * park argument.
     */
    @Test
    default void aWaiterWokenEarlyParksAgainWithTheSameEntry() {
        Implementation impl = implementation();
        PyMutex mutex = impl.newMutex();
        WordLot lot = new WordLot(impl.parkingLot());
        mutex.lock();
        try (Threads threads = new Threads()) {
            threads.start("waiter", () -> {
                mutex.lock();
                mutex.unlock();
            });
            Threads.awaitBits(mutex::bits, LOCKED_HAS_PARKED, "the waiter to park");
            Object first = strayUnpark(lot, mutex);
            Object second = strayUnpark(lot, mutex);
            assertEquals(first, second, "the waiter parked again with another entry");
            mutex.unlock();
        }
        assertEquals(UNLOCKED, mutex.bits());
    }

    /**
     * Unparks the mutex's waiter without handing it the mutex, as soon as it
     * is queued (an unpark that finds nobody changes nothing here: the
     * callback leaves the state byte alone); returns its park argument.
     */
    private static Object strayUnpark(WordLot lot, PyMutex mutex) {
        SegmentWord word = SegmentWord.firstByteOf(mutex);
        AtomicReference<Object> argument = new AtomicReference<>();
        Threads.awaitTrue(() -> {
            lot.unpark(word, (arg, more) -> argument.set(arg));
            return argument.get() != null;
        }, "an unpark to find the waiter queued");
        return argument.get();
    }

    /**
     * A timed lock whose waiter is woken without the mutex after its
     * deadline fails at once: {@code _PyMutex_LockTimed} parks again for the
     * time left clamped to 0, never for a negative time, which means no limit
     * ({@code Python/lock.c}). The wake-up comes late deterministically: an
     * unpark takes the waiter out of the queue before its deadline, and its
     * callback outlasts the deadline.
     */
    @Test
    default void aWakeUpAfterTheDeadlineEndsATimedLock() {
        Implementation impl = implementation();
        PyMutex mutex = impl.newMutex();
        WordLot lot = new WordLot(impl.parkingLot());
        SegmentWord word = SegmentWord.firstByteOf(mutex);
        Duration timeout = Duration.ofMillis(100 + 4 * Threads.QUEUE_MILLIS);
        mutex.lock();
        AtomicReference<LockStatus> status = new AtomicReference<>();
        AtomicReference<Object> taken = new AtomicReference<>();
        try (Threads threads = new Threads()) {
            threads.start("timed-waiter", () -> status.set(mutex.lockTimed(timeout)));
            Threads.awaitBits(mutex::bits, LOCKED_HAS_PARKED, "the waiter to park");
            Threads.sleepMillis(Threads.QUEUE_MILLIS);
            lot.unpark(word, (arg, more) -> {
                taken.set(arg);
                if (arg != null) {
                    Threads.sleepMillis(2 * timeout.toMillis()); // the deadline passes meanwhile
                }
            });
            try {
                Threads.awaitTrue(() -> status.get() != null,
                        "the waiter to end: past its deadline, a timed lock must not wait on");
            } finally {
                mutex.unlock();
            }
        }
        assertEquals(LockStatus.FAILURE, status.get(),
                taken.get() == null ? "the unpark found nobody: the waiter timed out by itself"
                        : "woken after its deadline without the mutex");
    }

    /**
     * A waiter handed the mutex by an unlock before its deadline, whose park
     * returns after the deadline, has the mutex: {@code _PyMutex_LockTimed}
     * reads {@code handed_off} before anything else once its park returns
     * ({@code Python/lock.c}). Free-threaded, deterministically: the waiter
     * parks with detach inside a critical section, and another thread holds
     * that section's mutex over the deadline, so attaching again (in the
     * park's semaphore wait) waits for it after the hand-off.
     */
    @Test
    default void aHandOffThatEndsTheParkAfterTheDeadlineIsKept() {
        Implementation impl = implementation();
        assumeTrue(impl.freeThreaded(), "only the free-threaded flavour suspends critical sections");
        PyMutex mutex = impl.newMutex();
        PyMutex guarded = impl.newMutex();
        Duration timeout = Duration.ofMillis(100 + 4 * Threads.QUEUE_MILLIS);
        AtomicReference<LockStatus> status = new AtomicReference<>();
        mutex.lock();
        try (Threads threads = new Threads()) {
            threads.start("timed-waiter", () -> {
                try (CriticalSection ignored = impl.beginCriticalSection(guarded)) {
                    status.set(mutex.lockTimed(timeout, LockFlag.DETACH));
                    if (status.get() == LockStatus.ACQUIRED) {
                        mutex.unlock();
                    }
                }
            });
            Threads.awaitBits(mutex::bits, LOCKED_HAS_PARKED, "the waiter to park");
            Threads.awaitBits(guarded::bits, UNLOCKED, "the waiter's section to be suspended");
            guarded.lock();
            Threads.sleepMillis(Threads.QUEUE_MILLIS); // well over TIME_TO_BE_FAIR_NS (1 ms)
            mutex.unlock(); // hands the mutex over
            assertEquals(LOCKED, mutex.bits() & LOCKED, "handed over, the mutex stays locked");
            Threads.sleepMillis(2 * timeout.toMillis()); // the waiter's deadline passes meanwhile
            guarded.unlock();
        }
        assertEquals(LockStatus.ACQUIRED, status.get(), "handed the mutex, the waiter must report it");
        assertEquals(UNLOCKED, mutex.bits());
        assertEquals(UNLOCKED, guarded.bits());
    }

    /**
     * An interrupt (a signal in C) that reaches a {@code HANDLE_SIGNALS}
     * waiter after an unparker took it out of the queue does not end its
     * lock: the park reports the wake-up ({@code Py_PARK_OK}), and
     * {@code _PyMutex_LockTimed} runs the pending calls only after a park
     * that reports {@code Py_PARK_INTR} ({@code Python/lock.c}); finding the
     * mutex free, the waiter takes it. The unpark's callback interrupts the
     * waiter, gives the interrupt time to reach its park, and clears the
     * state byte, as an unlock that does not hand over leaves it.
     */
    @Test
    default void anInterruptAfterTheUnparkTookTheWaiterDoesNotEndItsLock() {
        Implementation impl = implementation();
        assumeTrue(impl.interruptsEndWaits(), "interrupts do not reach waits in this implementation");
        WordLot lot = new WordLot(impl.parkingLot());
        for (int attempt = 0; attempt < 5; attempt++) {
            PyMutex mutex = impl.newMutex();
            SegmentWord word = SegmentWord.firstByteOf(mutex);
            AtomicReference<LockStatus> status = new AtomicReference<>();
            AtomicReference<Object> taken = new AtomicReference<>();
            mutex.lock();
            try (Threads threads = new Threads()) {
                Thread waiter = threads.start("signal-handling-waiter", () -> {
                    status.set(mutex.lockTimed(Threads.HANG, LockFlag.HANDLE_SIGNALS));
                    Thread.interrupted();
                });
                Threads.awaitBits(mutex::bits, LOCKED_HAS_PARKED, "the waiter to park");
                Threads.sleepMillis(Threads.QUEUE_MILLIS);
                lot.unpark(word, (arg, more) -> {
                    taken.set(arg);
                    if (arg != null) {
                        waiter.interrupt();
                        Threads.sleepMillis(4 * Threads.QUEUE_MILLIS); // the interrupt reaches the park meanwhile
                        word.set(UNLOCKED);
                    }
                });
                if (taken.get() == null) {
                    waiter.interrupt(); // the unpark found nobody queued: this attempt decides nothing
                }
            }
            if (taken.get() == null) {
                continue;
            }
            assertEquals(LockStatus.ACQUIRED, status.get(),
                    "interrupted after the unpark took it, the waiter must still take the free mutex");
            assertEquals(LOCKED, mutex.bits());
            mutex.unlock();
            return;
        }
        fail("in 5 attempts the unpark never found the waiter queued");
    }

    /**
     * A waiter woken without the mutex (a stray unpark of its address) parks
     * again, and its deadline counts from its first attempt
     * ({@code endtime} in {@code _PyMutex_LockTimed}, {@code Python/lock.c}):
     * woken every few milliseconds, a timed lock still fails after its
     * timeout, never before, and long before the wake-ups stop.
     */
    @Test
    default void earlyWakeUpsKeepTheFirstDeadline() {
        Implementation impl = implementation();
        PyMutex mutex = impl.newMutex();
        Duration timeout = Duration.ofMillis(300);
        mutex.lock();
        EarlyWakeUps.Outcome<LockStatus> outcome = EarlyWakeUps.wakeUntilItEnds(new WordLot(impl.parkingLot()), mutex,
                () -> mutex.lockTimed(timeout), () -> mutex.bits() == LOCKED_HAS_PARKED, timeout);
        assertEquals(LockStatus.FAILURE, outcome.result(), "woken early without the mutex, the waiter must park again");
        outcome.assertEndedAtTheDeadline(timeout);
        assertEquals(LOCKED_HAS_PARKED, mutex.bits(), "the parked bit stays until an unlock clears it");
        mutex.unlock();
        assertEquals(UNLOCKED, mutex.bits());
    }

    /**
     * A timed lock sleeps through an unpark of its thread that is not the
     * parking lot's (any code may call {@code LockSupport.unpark}): unparked
     * shortly before its deadline, it fails at the deadline, not a whole
     * timeout later.
     */
    @Test
    default void aStrayThreadUnparkKeepsTheDeadline() {
        PyMutex mutex = implementation().newMutex();
        Duration timeout = Duration.ofMillis(500);
        mutex.lock();
        EarlyWakeUps.Outcome<LockStatus> outcome = EarlyWakeUps.strayUnparkBeforeTheDeadline(
                () -> mutex.lockTimed(timeout), () -> mutex.bits() == LOCKED_HAS_PARKED, timeout);
        assertEquals(LockStatus.FAILURE, outcome.result());
        outcome.assertEndedNearTheDeadline(timeout);
        mutex.unlock();
        assertEquals(UNLOCKED, mutex.bits());
    }

    /**
     * An interrupt that does not end a timed lock (no
     * {@code HANDLE_SIGNALS}: C parks again after a signal) leaves its
     * deadline where it was: interrupted every few milliseconds, the lock
     * still fails after its timeout, never before, and long before the
     * interrupts stop.
     */
    @Test
    default void interruptsThatDoNotEndATimedLockKeepItsDeadline() {
        PyMutex mutex = implementation().newMutex();
        Duration timeout = Duration.ofMillis(300);
        mutex.lock();
        EarlyWakeUps.Outcome<LockStatus> outcome = EarlyWakeUps.interruptUntilItEnds(
                () -> mutex.lockTimed(timeout, LockFlag.DETACH), () -> mutex.bits() == LOCKED_HAS_PARKED, timeout);
        assertEquals(LockStatus.FAILURE, outcome.result(), "interrupted without HANDLE_SIGNALS, the waiter parks again");
        outcome.assertEndedAtTheDeadline(timeout);
        mutex.unlock();
        assertEquals(UNLOCKED, mutex.bits());
    }
}
