package org.cpylock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The facade's rules for a thread that already holds an {@link RWMutex}: a
 * try that cannot succeed returns false (a call that does not wait cannot
 * deadlock, and {@link Lock#tryLock()} declares no exception), while a
 * blocking acquisition that could only wait for itself throws.
 */
class RWMutexTest {
    /** A timed try that waited its hour instead of answering at once would be interrupted by this. */
    private static final long HOUR = 1;

    @Test
    @Timeout(60)
    void triesAgainstTheCallersOwnWriteLockReturnFalse() throws InterruptedException {
        RWMutex rw = new RWMutex();
        rw.lock();
        assertFalse(rw.tryRLock());
        assertFalse(rw.tryLock());
        assertFalse(rw.readLock().tryLock());
        assertFalse(rw.writeLock().tryLock());
        assertFalse(rw.readLock().tryLock(HOUR, TimeUnit.HOURS));
        assertFalse(rw.writeLock().tryLock(HOUR, TimeUnit.HOURS));
        assertEquals(1, rw.bits(), "the refused tries changed nothing");
        assertThrows(IllegalStateException.class, rw::rlock);
        assertThrows(IllegalStateException.class, rw::lock);
        rw.unlock();
        assertEquals(0, rw.bits());
    }

    @Test
    @Timeout(60)
    void writeTriesAgainstTheCallersOwnReadLockReturnFalse() throws InterruptedException {
        RWMutex rw = new RWMutex();
        rw.rlock();
        assertFalse(rw.tryLock());
        assertFalse(rw.writeLock().tryLock());
        assertFalse(rw.writeLock().tryLock(HOUR, TimeUnit.HOURS));
        assertEquals(4, rw.bits(), "one reader, nothing else");
        assertThrows(IllegalStateException.class, rw::lock);
        assertTrue(rw.tryRLock(), "a second read lock needs no waiting");
        rw.runlock();
        rw.runlock();
        assertEquals(0, rw.bits());
        assertTrue(rw.writeLock().tryLock(HOUR, TimeUnit.HOURS), "usable afterwards");
        rw.unlock();
    }

    @Test
    void aTimedTryStillReportsAnInterruptOnEntry() {
        RWMutex rw = new RWMutex();
        rw.lock();
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> rw.readLock().tryLock(HOUR, TimeUnit.HOURS));
        assertFalse(Thread.currentThread().isInterrupted());
        rw.unlock();
    }
}
