package org.cpylock.port;

/** The options of {@link PyMutex#lockTimed}: CPython's {@code _PyLockFlags} ({@code Include/internal/pycore_lock.h}). */
public enum LockFlag {
    /** {@code _PY_LOCK_DETACH}: detach the thread state while parked (suspending its critical sections). */
    DETACH(1),
    /**
     * {@code _PY_LOCK_HANDLE_SIGNALS}: an interrupted park runs the pending
     * calls and gives up if they fail. Here a {@link Thread#interrupt()} is the
     * signal and the pending calls of an interrupted thread fail, so the wait
     * ends with {@link LockStatus#INTERRUPTED}.
     */
    HANDLE_SIGNALS(2);

    /*
     * Implementation notes: bit() is the C enumerator's value; a set of flags
     * is passed around inside the port as the int CPython would see.
     */

    private final int bit;

    LockFlag(int bit) {
        this.bit = bit;
    }

    /** The C value of a set of flags. */
    static int bits(LockFlag... flags) {
        int bits = 0;
        for (LockFlag flag : flags) {
            bits |= flag.bit;
        }
        return bits;
    }
}
