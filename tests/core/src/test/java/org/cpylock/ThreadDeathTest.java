package org.cpylock;

import org.cpylock.api.Flavour;
import org.cpylock.testing.Backends;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A thread that ends while holding a lock: nothing is released for it (as in
 * CPython, where a thread's locks are plain memory). What can be recovered
 * depends on the primitive; see docs/RELIABILITY.md.
 */
class ThreadDeathTest {
    private static void runToEnd(Runnable body) throws InterruptedException {
        Thread thread = Thread.ofPlatform().name("ending-thread").start(body);
        assertTrue(thread.join(Duration.ofSeconds(60)));
    }

    @Test
    void pyMutexStaysLockedAndAnotherThreadMayUnlockIt() throws InterruptedException {
        PyMutex m = new PyMutex();
        runToEnd(m::lock);
        assertEquals(1, m.bits());
        assertFalse(m.tryLock());
        m.unlock(); // PyMutex has no owner
        assertEquals(0, m.bits());
        assertTrue(m.tryLock());
        m.unlock();
    }

    @Test
    void recursiveMutexStaysOwnedByTheEndedThread() throws InterruptedException {
        Backends.assumeBundled("the owner is the Java thread's id");
        RecursiveMutex m = new RecursiveMutex();
        long[] ended = {0};
        runToEnd(() -> {
            m.lock();
            ended[0] = Thread.currentThread().threadId();
        });
        assertEquals(ended[0], m.owner());
        assertFalse(m.isLockedByCurrentThread());
        assertThrows(IllegalMonitorStateException.class, m::unlock);
        assertFalse(m.mutex().tryLock(), "lost: a lock() would wait forever");
    }

    @Test
    void readLockOfAnEndedThreadKeepsWritersOut() throws InterruptedException {
        RWMutex rw = new RWMutex();
        runToEnd(rw::rlock);
        assertEquals(4, rw.bits(), "one reader, forever");
        assertFalse(rw.tryLock());
        assertTrue(rw.tryRLock(), "other readers still get in");
        rw.runlock();
    }

    @Test
    void criticalSectionOfAnEndedThreadLeavesItsMutexLocked() throws InterruptedException {
        Backends.assumeBundled("an interpreter thread state left attached by an ended thread would hold up"
                + " every stop-the-world pause of the interpreter (a documented hazard)");
        PyMutex m = new PyMutex();
        runToEnd(() -> CriticalSection.begin(m));
        int expected = CPython.flavour() == Flavour.FREE_THREADED ? 1 : 0;
        assertEquals(expected, m.bits());
        if (expected == 1) {
            m.unlock(); // recoverable like any PyMutex
        }
        assertEquals(0, m.bits());
    }
}
