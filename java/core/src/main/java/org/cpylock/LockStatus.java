package org.cpylock;

import org.cpylock.internal.CPythonConstants;

/** Result of {@link PyMutex#lockTimed}: CPython's {@code PyLockStatus} ({@code Include/pythread.h}). */
public enum LockStatus {
    /** {@code PY_LOCK_FAILURE}: the timeout expired (or was zero) before the mutex was acquired. */
    FAILURE,
    /** {@code PY_LOCK_ACQUIRED}: the calling thread holds the mutex. */
    ACQUIRED,
    /** {@code PY_LOCK_INTR}: the wait was interrupted and pending calls failed ({@link LockFlag#HANDLE_SIGNALS}). */
    INTERRUPTED;

    static LockStatus of(int pyLockStatus) {
        if (pyLockStatus == CPythonConstants.PY_LOCK_ACQUIRED) {
            return ACQUIRED;
        } else if (pyLockStatus == CPythonConstants.PY_LOCK_FAILURE) {
            return FAILURE;
        } else if (pyLockStatus == CPythonConstants.PY_LOCK_INTR) {
            return INTERRUPTED;
        }
        throw new IllegalStateException("unknown PyLockStatus " + pyLockStatus);
    }
}
