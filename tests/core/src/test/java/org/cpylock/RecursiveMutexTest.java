package org.cpylock;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The facade's guard for a RecursiveMutex whose inner mutex was unlocked through mutex(). */
class RecursiveMutexTest {
    @Test
    void unlockAfterTheInnerMutexWasUnlockedThrows() {
        RecursiveMutex m = new RecursiveMutex();
        m.lock();
        m.mutex().unlock(); // misuse: CPython's _PyRecursiveMutex_Unlock would abort next
        assertThrows(IllegalMonitorStateException.class, m::unlock);
        assertTrue(m.isLockedByCurrentThread(), "the refused unlock changed nothing");
        m.mutex().lock();
        m.unlock();
        assertEquals(0, m.owner());
        assertEquals(0, m.mutex().bits());
    }
}
