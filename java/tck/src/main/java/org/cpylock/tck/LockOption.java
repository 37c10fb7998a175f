package org.cpylock.tck;

/** The {@code _PyLockFlags} a timed lock may be given. */
public enum LockOption {
    /** {@code _PY_LOCK_DETACH}: detach the thread state while waiting. */
    DETACH,
    /** {@code _PY_LOCK_HANDLE_SIGNALS}: a wait interrupted by a signal (in Java: an interrupt) gives up. */
    HANDLE_SIGNALS
}
