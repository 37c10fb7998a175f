package org.cpylock;

import org.cpylock.api.Flavour;
import org.cpylock.api.LockFlag;
import org.cpylock.api.LockStatus;
import org.cpylock.tck.Threads;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A critical section whose mutex someone unlocked by hand: where CPython
 * would abort (in PyMutex_Unlock, called by _PyCriticalSection_End or
 * _PyCriticalSection_SuspendAll), the facade refuses with an exception and
 * the section stays usable once the mutex is locked again.
 */
class CriticalSectionTest {
    private static boolean freeThreaded() {
        return CPython.flavour() == Flavour.FREE_THREADED;
    }

    @Test
    void endingASectionWhoseMutexWasUnlockedThrows() {
        PyMutex m = new PyMutex();
        CriticalSection section = CriticalSection.begin(m);
        if (!freeThreaded()) {
            section.end(); // nothing is locked in the default flavour
            return;
        }
        m.unlock();
        IllegalMonitorStateException e = assertThrows(IllegalMonitorStateException.class, section::end);
        assertTrue(e.getMessage().contains("CriticalSection"), e.getMessage());
        assertSame(section, CriticalSection.top(), "the refused end left the section in place");
        m.lock();
        section.end();
        assertEquals(0, m.bits());
    }

    @Test
    void detachingWithAnUnlockedSectionMutexIsRefused() {
        PyMutex m = new PyMutex();
        PyMutex other = new PyMutex();
        try (CriticalSection outer = CriticalSection.begin(other);
             CriticalSection inner = CriticalSection.begin(m)) {
            if (!freeThreaded()) {
                CPython.allowThreads(() -> { });
                return;
            }
            m.unlock();
            boolean[] ran = {false};
            assertThrows(IllegalStateException.class, () -> CPython.allowThreads(() -> ran[0] = true));
            assertFalse(ran[0]);
            assertEquals(1, other.bits(), "nothing was suspended");
            // A wait with DETACH neither aborts nor suspends: it waits holding the sections.
            PyMutex busy = new PyMutex();
            busy.lock();
            AtomicReference<LockStatus> status = new AtomicReference<>();
            try (Threads threads = new Threads()) {
                threads.start("unlocker", () -> {
                    Threads.sleepMillis(20);
                    busy.unlock();
                });
                status.set(busy.lockTimed(Duration.ofSeconds(30), LockFlag.DETACH));
            }
            assertEquals(LockStatus.ACQUIRED, status.get());
            busy.unlock();
            assertEquals(1, other.bits());
            m.lock(); // repair, so the sections can end
        }
        assertEquals(0, m.bits());
        assertEquals(0, other.bits());
    }
}
