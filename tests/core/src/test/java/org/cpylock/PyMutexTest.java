package org.cpylock;

import org.cpylock.api.LockStatus;
import org.cpylock.testing.Backends;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the facade adds to CPython's PyMutex: Java exceptions, caller memory, the Lock interface. */
class PyMutexTest {
    @Test
    void unlockingAnUnlockedMutexThrowsAndLeavesItUsable() {
        PyMutex m = new PyMutex();
        IllegalMonitorStateException e = assertThrows(IllegalMonitorStateException.class, m::unlock);
        assertTrue(e.getMessage().contains("PyMutex"), e.getMessage());
        assertEquals(0, m.bits());
        m.lock();
        assertEquals(1, m.bits());
        m.unlock();
        assertThrows(IllegalMonitorStateException.class, m::unlock);
    }

    @Test
    void newMutexesAreUnlockedAndIndependent() {
        PyMutex a = new PyMutex();
        PyMutex b = new PyMutex();
        a.lock();
        assertEquals(0, b.bits());
        assertTrue(b.tryLock());
        assertEquals(1, a.bits());
        a.unlock();
        b.unlock();
    }

    @Test
    void atUsesTheCallersByteAndLeavesItsNeighboursAlone() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment block = arena.allocate(8, 8);
            block.fill((byte) 0x5A);
            for (int index = 0; index < 8; index++) {
                block.set(ValueLayout.JAVA_BYTE, index, (byte) 0);
                PyMutex m = PyMutex.at(block.asSlice(index, 1));
                m.lock();
                assertEquals(1, block.get(ValueLayout.JAVA_BYTE, index), "byte " + index);
                assertFalse(m.tryLock());
                m.unlock();
                assertEquals(0, block.get(ValueLayout.JAVA_BYTE, index), "byte " + index);
                for (int other = 0; other < 8; other++) {
                    if (other != index) {
                        assertEquals((byte) 0x5A, block.get(ValueLayout.JAVA_BYTE, other), "neighbour " + other);
                    }
                }
                block.set(ValueLayout.JAVA_BYTE, index, (byte) 0x5A);
            }
        }
    }

    @Test
    void atSeesStateWrittenByOthers() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment word = arena.allocate(1);
            PyMutex m = PyMutex.at(word);
            word.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            assertTrue(m.isLocked());
            assertEquals(LockStatus.FAILURE, m.lockTimed(Duration.ZERO));
            m.unlock();
            assertEquals(0, word.get(ValueLayout.JAVA_BYTE, 0));
        }
    }

    @Test
    void atRejectsUnusableSegments() {
        assertThrows(IllegalArgumentException.class, () -> PyMutex.at(MemorySegment.ofArray(new byte[4])));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(4);
            assertThrows(IllegalArgumentException.class, () -> PyMutex.at(segment.asReadOnly()));
            assertThrows(IllegalArgumentException.class, () -> PyMutex.at(segment.asSlice(0, 0)));
        }
        Arena closed = Arena.ofShared();
        MemorySegment gone = closed.allocate(4);
        closed.close();
        assertThrows(IllegalStateException.class, () -> PyMutex.at(gone));
    }

    @Test
    void newConditionIsUnsupported() {
        assertThrows(UnsupportedOperationException.class, () -> new PyMutex().newCondition());
    }

    @Test
    void tryLockWithTimeoutGivesUpOnAHeldMutex() throws InterruptedException {
        PyMutex m = new PyMutex();
        m.lock();
        Thread other = Thread.ofPlatform().start(() -> {
            try {
                assertFalse(m.tryLock(20, TimeUnit.MILLISECONDS));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        assertTrue(other.join(Duration.ofSeconds(60)));
        m.unlock();
        assertTrue(m.tryLock(1, TimeUnit.SECONDS));
        m.unlock();
    }

    @Test
    void lockInterruptiblyThrowsWhenInterrupted() throws InterruptedException {
        Backends.assumeBundled("an interpreter ends no wait on an interrupt");
        PyMutex m = new PyMutex();
        m.lock();
        Throwable[] thrown = new Throwable[1];
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                m.lockInterruptibly();
            } catch (Throwable t) {
                thrown[0] = t;
            }
        });
        while (m.bits() != 3) {
            Thread.sleep(1);
        }
        waiter.interrupt();
        assertTrue(waiter.join(Duration.ofSeconds(60)), "the interrupted waiter returned");
        assertTrue(thrown[0] instanceof InterruptedException, String.valueOf(thrown[0]));
        m.unlock();
        assertTrue(m.tryLock());
        m.unlock();
    }

    @Test
    void callerMemoryCannotBeClosedWhileAThreadWaitsOnIt() {
        Arena arena = Arena.ofShared();
        PyMutex m = PyMutex.at(arena.allocate(1));
        m.lock();
        try (org.cpylock.tck.Threads threads = new org.cpylock.tck.Threads()) {
            threads.start("waiter", () -> {
                m.lock();
                m.unlock();
            });
            org.cpylock.tck.Threads.awaitBits(m::bits, 3, "the waiter to park");
            assertThrows(IllegalStateException.class, arena::close, "the waiting call keeps the arena open");
            m.unlock();
        }
        arena.close();
        assertThrows(IllegalStateException.class, m::lock, "a closed arena's mutex is refused, not touched");
        assertThrows(IllegalStateException.class, m::bits);
    }
}
