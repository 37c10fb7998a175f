package org.cpylock.tck;

import org.cpylock.api.Implementation;
import org.cpylock.api.PyEvent;
import org.cpylock.api.RawMutex;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code _PyRawMutex}: a word-sized mutex that queues its waiters in the word
 * itself. State word: bit 0 locked; the other bits are zero, or the address
 * of the newest waiter while threads wait.
 */
public interface RawMutexContract extends ImplementationProvider {
    /** Bit 0 of the state word: locked ({@code _Py_LOCKED}). */
    long LOCKED = 1;

    /** Lock and unlock in one thread: 0, 1, 0; locked only in between. */
    @Test
    default void lockUnlock() {
        RawMutex m = implementation().newRawMutex();
        assertEquals(0, m.bits());
        assertFalse(m.isLocked());
        m.lock();
        assertEquals(LOCKED, m.bits());
        assertTrue(m.isLocked());
        m.unlock();
        assertEquals(0, m.bits());
        assertFalse(m.isLocked());
    }

    /**
     * A waiter queues itself in the word: the locked bit stays set and the
     * other bits hold a (non-zero) waiter address, and the mutex is still
     * locked to {@code isLocked}, which reads bit 0 alone; after the unlock
     * the waiter takes the mutex, and the word ends at 0.
     */
    @Test
    default void waiterIsQueuedInTheWord() {
        Implementation impl = implementation();
        RawMutex m = impl.newRawMutex();
        PyEvent acquired = impl.newEvent();
        boolean lockedWithAWaiter;
        m.lock();
        try (Threads threads = new Threads()) {
            threads.start("waiter", () -> {
                m.lock();
                acquired.set();
                m.unlock();
            });
            Threads.awaitTrue(() -> (m.bits() & ~LOCKED) != 0, "the waiter's entry in the word");
            assertEquals(LOCKED, m.bits() & LOCKED);
            lockedWithAWaiter = m.isLocked();
            m.unlock();
            assertTrue(acquired.await(Threads.HANG));
        }
        assertTrue(lockedWithAWaiter, "locked, with a waiter queued in the word");
        assertEquals(0, m.bits());
        assertFalse(m.isLocked());
    }

    /**
     * Two waiters queued in the word: the unlock wakes the newer one
     * ({@code _PyRawMutex_UnlockSlow} pops the head of the word's list,
     * {@code Python/lock.c}) and leaves the older one queued in the word,
     * unlocked; the woken waiter takes the mutex by setting the locked bit
     * beside that entry, so that its own unlock wakes the older waiter in
     * turn. Both get the mutex, and the word ends at 0.
     */
    @Test
    default void theNewerWaiterTakesTheMutexAndKeepsTheOlderQueued() {
        Implementation impl = implementation();
        RawMutex m = impl.newRawMutex();
        PyEvent olderAcquired = impl.newEvent();
        PyEvent newerAcquired = impl.newEvent();
        m.lock();
        try (Threads threads = new Threads()) {
            threads.start("older-waiter", () -> {
                m.lock();
                olderAcquired.set();
                m.unlock();
            });
            Threads.awaitTrue(() -> (m.bits() & ~LOCKED) != 0, "the older waiter's entry in the word");
            long olderEntry = m.bits() & ~LOCKED;
            threads.start("newer-waiter", () -> {
                m.lock();
                newerAcquired.set();
                m.unlock();
            });
            Threads.awaitTrue(() -> (m.bits() & ~LOCKED) != olderEntry, "the newer waiter's entry in the word");
            m.unlock();
            assertTrue(newerAcquired.await(Threads.HANG), "the newer waiter gets the mutex");
            assertTrue(olderAcquired.await(Threads.HANG), "the older waiter stayed queued and was woken after");
        }
        assertEquals(0, m.bits());
    }

    /** test_lock_counter's workload on a raw mutex: 5 threads x 10,000 increments. */
    @Test
    default void counter() {
        RawMutex m = implementation().newRawMutex();
        long[] counter = {0};
        try (Threads threads = new Threads()) {
            for (int t = 0; t < 5; t++) {
                threads.start("counter-" + t, () -> {
                    for (int i = 0; i < 10_000; i++) {
                        m.lock();
                        counter[0]++;
                        m.unlock();
                    }
                });
            }
        }
        m.lock();
        assertEquals(50_000, counter[0]);
        m.unlock();
        assertEquals(0, m.bits());
    }

    /** Unlocking an unlocked raw mutex throws (CPython would abort), and it stays usable. */
    @Test
    default void unlockWhenUnlockedThrows() {
        RawMutex m = implementation().newRawMutex();
        assertThrows(IllegalMonitorStateException.class, m::unlock);
        assertEquals(0, m.bits());
        m.lock();
        m.unlock();
        assertThrows(IllegalMonitorStateException.class, m::unlock);
        assertEquals(0, m.bits());
    }
}
