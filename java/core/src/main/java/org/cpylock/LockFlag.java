package org.cpylock;

import org.cpylock.internal.CPythonConstants;

/** Options of {@link PyMutex#lockTimed}: CPython's {@code _PyLockFlags} ({@code Include/internal/pycore_lock.h}). */
public enum LockFlag {
    /**
     * {@code _PY_LOCK_DETACH}: detach the thread state while parked. In the
     * free-threaded flavour this suspends the calling thread's critical sections
     * (their mutexes are released while it waits and locked again before it returns).
     */
    DETACH(CPythonConstants.LOCK_DETACH),

    /**
     * {@code _PY_LOCK_HANDLE_SIGNALS}: when a signal interrupts the wait, run
     * pending calls ({@code Py_MakePendingCalls}) and return
     * {@link LockStatus#INTERRUPTED} if they fail. Here a Java interrupt plays
     * the part of CPython's interrupting signal: the library sends the waiting
     * thread a signal when it is interrupted, and pending calls fail for an
     * interrupted thread. Other signals resume the wait, as in CPython.
     */
    HANDLE_SIGNALS(CPythonConstants.LOCK_HANDLE_SIGNALS);

    private final int bit;

    LockFlag(int bit) {
        this.bit = bit;
    }

    static int bits(LockFlag... flags) {
        int bits = 0;
        for (LockFlag flag : flags) {
            bits |= flag.bit;
        }
        return bits;
    }
}
