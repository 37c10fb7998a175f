package org.cpylock.api;

/** Options of {@link PyMutex#lockTimed}: CPython's {@code _PyLockFlags} ({@code Include/internal/pycore_lock.h}). */
public enum LockFlag {
    /**
     * {@code _PY_LOCK_DETACH}: detach the thread state while parked. In the
     * free-threaded flavour this suspends the calling thread's critical sections
     * (their mutexes are released while it waits and locked again before it returns).
     */
    DETACH,

    /**
     * {@code _PY_LOCK_HANDLE_SIGNALS}: when a signal interrupts the wait, run
     * pending calls and return {@link LockStatus#INTERRUPTED} if they fail. A
     * {@link Thread#interrupt()} plays the part of CPython's interrupting signal,
     * and the pending calls of an interrupted thread fail; other signals resume
     * the wait, as in CPython.
     */
    HANDLE_SIGNALS
}
