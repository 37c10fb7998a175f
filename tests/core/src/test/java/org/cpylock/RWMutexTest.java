package org.cpylock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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
    @Timeout(60)
    void readHoldsStayWithTheirThreadWhicheverThreadTookTheLockFromNoReaders() throws Exception {
        RWMutex rw = new RWMutex();
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            rw.rlock(); // from no readers: this thread is the first reader
            other.submit(rw::rlock).get();
            assertEquals(8, rw.bits());
            assertRefused(other, IllegalStateException.class, rw::lock); // the other thread reads too
            rw.runlock();
            assertThrows(IllegalMonitorStateException.class, rw::runlock, "this thread's only hold is gone");
            assertEquals(4, rw.bits(), "the refused release changed nothing");
            rw.rlock(); // the other thread still reads: this hold is not a first reader's
            assertThrows(IllegalStateException.class, rw::lock);
            other.submit(rw::runlock).get();
            assertRefused(other, IllegalMonitorStateException.class, rw::runlock);
            rw.runlock();
            assertEquals(0, rw.bits());
            assertThrows(IllegalMonitorStateException.class, rw::runlock);
            other.submit(rw::rlock).get(); // now the other thread is the first reader
            assertThrows(IllegalMonitorStateException.class, rw::runlock);
            assertFalse(rw.tryLock());
            other.submit(rw::runlock).get();
            assertTrue(rw.tryLock());
            rw.unlock();
            assertEquals(0, rw.bits());
        } finally {
            other.shutdownNow();
        }
    }

    /** {@code call}, run on {@code thread}, throws {@code type}. */
    private static void assertRefused(ExecutorService thread, Class<? extends Throwable> type, Runnable call) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> thread.submit(call).get());
        assertInstanceOf(type, e.getCause());
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
