package org.cpylock.api;

/** Result of {@link PyMutex#lockTimed}: CPython's {@code PyLockStatus} ({@code Include/pythread.h}). */
public enum LockStatus {
    /** {@code PY_LOCK_FAILURE}: the timeout expired (or was zero) before the mutex was acquired. */
    FAILURE,
    /** {@code PY_LOCK_ACQUIRED}: the calling thread holds the mutex. */
    ACQUIRED,
    /**
     * {@code PY_LOCK_INTR}: the wait was interrupted and pending calls failed ({@link LockFlag#HANDLE_SIGNALS});
     * the thread's interrupt status stays set.
     */
    INTERRUPTED
}
