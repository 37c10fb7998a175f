package org.cpylock.tck;

/** What a timed lock returns: CPython's {@code PyLockStatus}. */
public enum LockResult {
    /** {@code PY_LOCK_FAILURE}: the timeout expired (or was zero) before the lock was free. */
    FAILURE,
    /** {@code PY_LOCK_ACQUIRED}: the calling thread holds the lock. */
    ACQUIRED,
    /** {@code PY_LOCK_INTR}: a wait with {@link LockOption#HANDLE_SIGNALS} was interrupted. */
    INTERRUPTED
}
