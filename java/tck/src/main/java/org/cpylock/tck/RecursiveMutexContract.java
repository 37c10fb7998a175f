package org.cpylock.tck;

import org.cpylock.api.Implementation;
import org.cpylock.api.PyEvent;
import org.cpylock.api.RecursiveMutex;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code _PyRecursiveMutex}: a PyMutex, the owner's identity ({@code thread})
 * and the re-entries beyond the first ({@code level}).
 */
public interface RecursiveMutexContract extends ImplementationProvider {
    /**
     * test_lock_recursive: not owned at first (owner, level and inner byte
     * 0); lock owns it (byte 1, level 0); lock again raises the level to 1;
     * unlock lowers it; the last unlock clears the owner and the byte.
     */
    @Test
    default void cpythonRecursiveSequence() {
        RecursiveMutex m = implementation().newRecursiveMutex();
        assertFalse(m.isLockedByCurrentThread());
        assertEquals(0, m.owner());
        assertEquals(0, m.level());
        assertEquals(0, m.mutex().bits());

        m.lock();
        assertTrue(m.isLockedByCurrentThread());
        assertNotEquals(0, m.owner());
        assertEquals(1, m.mutex().bits());
        assertEquals(0, m.level());

        m.lock();
        assertEquals(1, m.level());
        m.unlock();
        assertEquals(0, m.level());
        assertTrue(m.isLockedByCurrentThread());

        m.unlock();
        assertEquals(0, m.owner());
        assertEquals(0, m.mutex().bits());
        assertEquals(0, m.level());
        assertFalse(m.isLockedByCurrentThread());
    }

    /** Another thread waits while the mutex is owned, gets it after the owner's last unlock, and owns it as itself. */
    @Test
    default void otherThreadsWaitForTheOwner() {
        Implementation impl = implementation();
        RecursiveMutex m = impl.newRecursiveMutex();
        PyEvent acquired = impl.newEvent();
        PyEvent release = impl.newEvent();
        AtomicLong otherOwner = new AtomicLong();
        m.lock();
        m.lock();
        long mainOwner = m.owner();
        try (Threads threads = new Threads()) {
            threads.start("other", () -> {
                assertFalse(m.isLockedByCurrentThread());
                m.lock();
                otherOwner.set(m.owner());
                acquired.set();
                release.await();
                m.unlock();
            });
            Threads.awaitBits(m.mutex()::bits, 3, "the other thread to park on the inner mutex");
            m.unlock();
            assertFalse(acquired.await(java.time.Duration.ofMillis(20)), "one unlock of two must not release it");
            m.unlock();
            assertTrue(acquired.await(Threads.HANG));
            assertFalse(m.isLockedByCurrentThread());
            release.set();
        }
        assertNotEquals(0, otherOwner.get());
        assertNotEquals(mainOwner, otherOwner.get(), "each thread has its own identity");
        assertEquals(0, m.owner());
    }

    /**
     * The last unlock forgets the owner before it releases the inner mutex
     * ({@code _PyRecursiveMutex_Unlock} stores 0 in {@code thread}, then
     * calls {@code PyMutex_Unlock}, {@code Python/lock.c}), so that the
     * next owner's identity, stored once it has the mutex, is never
     * overwritten. While the release waits for its bucket
     * ({@link BucketHold}) to wake a thread parked on the inner mutex, the
     * mutex is still locked and already has no owner.
     */
    @Test
    default void theLastUnlockForgetsTheOwnerBeforeItReleasesTheMutex() {
        Implementation impl = implementation();
        RecursiveMutex m = impl.newRecursiveMutex();
        AtomicBoolean locked = new AtomicBoolean();
        AtomicBoolean unlock = new AtomicBoolean();
        AtomicBoolean unlocking = new AtomicBoolean();
        AtomicLong nextOwner = new AtomicLong();
        boolean ownerForgotten;
        try (Threads threads = new Threads()) {
            threads.start("owner", () -> {
                m.lock();
                locked.set(true);
                Threads.awaitTrue(unlock::get, "the test to let the owner unlock");
                unlocking.set(true);
                m.unlock();
            });
            Threads.awaitTrue(locked::get, "the owner to lock");
            threads.start("next-owner", () -> {
                m.lock();
                nextOwner.set(m.owner());
                m.unlock();
            });
            Threads.awaitBits(m.mutex()::bits, 3, "the next owner to park on the inner mutex");
            Threads.sleepMillis(Threads.QUEUE_MILLIS);
            BucketHold bucket = BucketHold.of(threads, impl.parkingLot(), m.mutex().segment());
            unlock.set(true);
            Threads.awaitTrue(unlocking::get, "the owner's unlock to start");
            ownerForgotten = Threads.holdsWithinAFewQueueTimes(() -> m.owner() == 0);
            int bitsMeanwhile = m.mutex().bits();
            bucket.release();
            Threads.awaitTrue(() -> nextOwner.get() != 0, "the next owner to have the mutex");
            assertTrue(ownerForgotten, "the owner was still recorded while its unlock waited to wake the next one");
            assertEquals(3, bitsMeanwhile, "the inner mutex stayed locked while its release waited for the bucket");
        }
        assertEquals(0, m.owner());
        assertEquals(0, m.mutex().bits());
    }

    /**
     * An interrupt does not end a {@code _PyRecursiveMutex_Lock} wait: its
     * {@code PyMutex_Lock} passes {@code _PY_LOCK_DETACH} only, not
     * {@code _PY_LOCK_HANDLE_SIGNALS} ({@code Python/lock.c}). The
     * interrupted waiter goes on waiting while the owner keeps the mutex, and
     * owns it once the owner releases it.
     */
    @Test
    default void anInterruptDoesNotEndTheWait() {
        Implementation impl = implementation();
        RecursiveMutex m = impl.newRecursiveMutex();
        AtomicBoolean owned = new AtomicBoolean();
        AtomicBoolean returned = new AtomicBoolean();
        m.lock();
        try (Threads threads = new Threads()) {
            Thread waiter = threads.start("interrupted-waiter", () -> {
                m.lock();
                returned.set(true);
                owned.set(m.isLockedByCurrentThread());
                m.unlock();
                Thread.interrupted();
            });
            Threads.awaitBits(m.mutex()::bits, 3, "the waiter to park");
            waiter.interrupt();
            Threads.sleepMillis(Threads.QUEUE_MILLIS); // time for a wrong implementation to return
            assertFalse(returned.get(), "an interrupt ended the waiter's lock");
            assertTrue(m.isLockedByCurrentThread(), "the owner still owns it");
            m.unlock();
        }
        assertTrue(owned.get(), "the waiter owns the mutex after the owner's release");
        assertEquals(0, m.mutex().bits());
    }

    /**
     * Unlocking a mutex the thread does not own throws (CPython would
     * abort), at the outermost level and at a re-entry alike, changes
     * nothing, and the mutex stays usable.
     */
    @Test
    default void unlockByANonOwnerThrows() {
        RecursiveMutex m = implementation().newRecursiveMutex();
        assertThrows(IllegalMonitorStateException.class, m::unlock);
        m.lock();
        for (long level = 0; level <= 1; level++) {
            try (Threads threads = new Threads()) {
                threads.start("non-owner", () -> assertThrows(IllegalMonitorStateException.class, m::unlock));
            }
            assertTrue(m.isLockedByCurrentThread());
            assertEquals(level, m.level(), "the refused unlock changed the level");
            m.lock();
        }
        for (int i = 0; i < 3; i++) {
            m.unlock();
        }
        assertEquals(0, m.owner());
        assertThrows(IllegalMonitorStateException.class, m::unlock);
    }

    /**
     * The owner's last unlock, after the inner mutex was unlocked through
     * {@link RecursiveMutex#mutex()}, is refused and changes nothing (in C,
     * {@code _PyRecursiveMutex_Unlock}'s {@code PyMutex_Unlock} would abort
     * the process): the thread still owns the mutex, and once the inner
     * mutex is locked again, its unlock releases both. The unlocks of the
     * levels above it only lower the level, as in C, which looks at the
     * inner mutex at the last one only.
     */
    @Test
    default void theLastUnlockAfterTheInnerMutexWasUnlockedThrowsAndKeepsTheOwner() {
        RecursiveMutex m = implementation().newRecursiveMutex();
        m.lock();
        m.lock();
        long owner = m.owner();
        m.mutex().unlock();
        m.unlock();
        assertEquals(0, m.level(), "leaving a level above the last does not look at the inner mutex");
        assertThrows(IllegalMonitorStateException.class, m::unlock);
        assertTrue(m.isLockedByCurrentThread(), "the refused unlock took the mutex from its owner");
        assertEquals(owner, m.owner());
        assertEquals(0, m.level());
        m.mutex().lock();
        m.unlock();
        assertEquals(0, m.owner());
        assertEquals(0, m.mutex().bits());
    }

    /**
     * The owner is the Java thread, not the OS thread under it: a virtual
     * thread that locks, moves to another carrier and locks again re-enters
     * (level 1) and can unlock twice.
     */
    @Test
    default void virtualThreadOwnsAcrossCarriers() {
        assumeTrue(implementation().ownerIsJavaThread(), "owners are OS threads in this implementation");
        RecursiveMutex m = implementation().newRecursiveMutex();
        AtomicBoolean busy = new AtomicBoolean(true);
        AtomicBoolean moved = new AtomicBoolean();
        try (Threads threads = new Threads()) {
            // Virtual threads that keep the carriers busy part of the time (and
            // sleep, so that nobody starves), so that the owner resumes on
            // whichever carrier is free.
            for (int i = 0; i < 3; i++) {
                threads.start(Thread.ofVirtual().name("busy-" + i), () -> {
                    while (busy.get()) {
                        long until = System.nanoTime() + 200_000;
                        while (System.nanoTime() < until) {
                            Thread.onSpinWait();
                        }
                        Threads.sleepMillis(1);
                    }
                });
            }
            threads.start(Thread.ofVirtual().name("owner"), () -> {
                try {
                    m.lock();
                    String carrier = carrierOf(Thread.currentThread());
                    for (int i = 0; i < 2_000 && carrier.equals(carrierOf(Thread.currentThread())); i++) {
                        Threads.sleepMillis(1);
                    }
                    moved.set(!carrier.equals(carrierOf(Thread.currentThread())));
                    m.lock();
                    assertTrue(m.isLockedByCurrentThread());
                    assertEquals(1, m.level());
                    m.unlock();
                    m.unlock();
                    assertFalse(m.isLockedByCurrentThread());
                } finally {
                    busy.set(false);
                }
            });
        }
        assertTrue(moved.get(), "the virtual thread never changed carrier, so the test proved nothing");
        assertEquals(0, m.owner());
        assertEquals(0, m.mutex().bits());
    }

    /** The carrier named in a mounted virtual thread's toString ("...@ForkJoinPool-1-worker-2"). */
    private static String carrierOf(Thread virtualThread) {
        String text = virtualThread.toString();
        int at = text.lastIndexOf('@');
        return at < 0 ? text : text.substring(at + 1);
    }

    /**
     * The level is a {@code size_t}: from 2<sup>31</sup> - 1, 2<sup>32</sup> - 1,
     * 2<sup>63</sup> - 1 and 2<sup>64</sup> - 2 a re-entry adds one and an
     * unlock takes one away, and only the unlock at level 0 releases the
     * mutex ({@code m->level > 0} is an unsigned comparison).
     */
    @Test
    default void levelsUseTheWholeSizeT() {
        long levelOffset = 16; // _PyRecursiveMutex.level: after the PyMutex (padded to 8) and the 8-byte thread
        for (long level : new long[]{Integer.MAX_VALUE, 0xFFFF_FFFFL, Long.MAX_VALUE, -2}) {
            String from = "from level " + Long.toUnsignedString(level);
            RecursiveMutex m = implementation().newRecursiveMutex();
            m.lock();
            m.segment().set(ValueLayout.JAVA_LONG, levelOffset, level);
            m.lock();
            assertEquals(level + 1, m.level(), from);
            m.unlock();
            assertEquals(level, m.level(), from);
            m.unlock();
            assertEquals(level - 1, m.level(), from);
            assertTrue(m.isLockedByCurrentThread(), from + ": an unlock above level 0 keeps the mutex");
            assertEquals(1, m.mutex().bits(), from);
            m.segment().set(ValueLayout.JAVA_LONG, levelOffset, 0L);
            m.unlock();
            assertFalse(m.isLockedByCurrentThread(), from);
            assertEquals(0, m.mutex().bits(), from);
            assertEquals(0, m.owner(), from);
        }
    }
}
