package org.cpylock.internal;

import org.cpylock.api.LockFlag;
import org.cpylock.api.LockStatus;
import org.cpylock.api.ParkStatus;
import org.cpylock.internal.ffi.CPyLock;

/**
 * CPython 3.13.5's constants that the Java side of cpylock uses, each once:
 * the headers' macros as jextract generated them, and the few that
 * {@code Python/lock.c} defines for itself (which no header exports), with
 * their lines.
 */
public final class CPythonConstants {
    /** {@code _Py_LOCKED} ({@code Include/cpython/lock.h}): bit 0 of a mutex, an event's "set", a once flag's "running". */
    public static final int LOCKED = CPyLock._Py_LOCKED();
    /** {@code _Py_HAS_PARKED} ({@code Include/cpython/lock.h}): a thread is (or may be) parked on the word. */
    public static final int HAS_PARKED = CPyLock._Py_HAS_PARKED();
    /** {@code _Py_ONCE_INITIALIZED} ({@code Include/internal/pycore_lock.h}). */
    public static final int ONCE_INITIALIZED = CPyLock._Py_ONCE_INITIALIZED();

    /** {@code PY_LOCK_FAILURE} ({@code Include/pythread.h}). */
    public static final int PY_LOCK_FAILURE = CPyLock.PY_LOCK_FAILURE();
    /** {@code PY_LOCK_ACQUIRED} ({@code Include/pythread.h}). */
    public static final int PY_LOCK_ACQUIRED = CPyLock.PY_LOCK_ACQUIRED();
    /** {@code PY_LOCK_INTR} ({@code Include/pythread.h}). */
    public static final int PY_LOCK_INTR = CPyLock.PY_LOCK_INTR();

    /** {@code _Py_LOCK_DONT_DETACH} ({@code Include/internal/pycore_lock.h}). */
    public static final int LOCK_DONT_DETACH = CPyLock._Py_LOCK_DONT_DETACH();
    /** {@code _PY_LOCK_DETACH} ({@code Include/internal/pycore_lock.h}). */
    public static final int LOCK_DETACH = CPyLock._PY_LOCK_DETACH();
    /** {@code _PY_LOCK_HANDLE_SIGNALS} ({@code Include/internal/pycore_lock.h}). */
    public static final int LOCK_HANDLE_SIGNALS = CPyLock._PY_LOCK_HANDLE_SIGNALS();

    /** {@code Py_PARK_OK} ({@code Include/internal/pycore_parking_lot.h}). */
    public static final int PARK_OK = CPyLock.Py_PARK_OK();
    /** {@code Py_PARK_AGAIN} ({@code Include/internal/pycore_parking_lot.h}). */
    public static final int PARK_AGAIN = CPyLock.Py_PARK_AGAIN();
    /** {@code Py_PARK_TIMEOUT} ({@code Include/internal/pycore_parking_lot.h}). */
    public static final int PARK_TIMEOUT = CPyLock.Py_PARK_TIMEOUT();
    /** {@code Py_PARK_INTR} ({@code Include/internal/pycore_parking_lot.h}). */
    public static final int PARK_INTR = CPyLock.Py_PARK_INTR();

    /** {@code TIME_TO_BE_FAIR_NS} ({@code lock.c}:22): a waiter parked this long is handed the mutex. */
    public static final long TIME_TO_BE_FAIR_NS = 1_000_000;
    /** {@code MAX_SPIN_COUNT} ({@code lock.c}:26-31) of the free-threaded build; the default build's is 0. */
    public static final int FREE_THREADED_MAX_SPIN_COUNT = 40;
    /** {@code _Py_WRITE_LOCKED} ({@code lock.c}:399): an {@code _PyRWMutex}'s writer bit. */
    public static final long WRITE_LOCKED = 1;
    /** {@code _PyRWMutex_READER_SHIFT} ({@code lock.c}:400): the reader count's position in the word. */
    public static final int READER_SHIFT = 2;
    /** One reader, {@code 1 << _PyRWMutex_READER_SHIFT}. */
    public static final long ONE_READER = 1L << READER_SHIFT;

    private CPythonConstants() {
    }

    /**
     * The {@code _PyLockFlags} value of {@code flags}.
     *
     * @param flags the flags of a lock call
     * @return their bits, or'ed
     */
    public static int lockFlags(LockFlag... flags) {
        int bits = 0;
        for (LockFlag flag : flags) {
            bits |= switch (flag) {
                case DETACH -> LOCK_DETACH;
                case HANDLE_SIGNALS -> LOCK_HANDLE_SIGNALS;
            };
        }
        return bits;
    }

    /**
     * The status a {@code PyLockStatus} value stands for.
     *
     * @param pyLockStatus what a lock function returned
     * @return its status
     * @throws IllegalStateException for a value {@code Include/pythread.h} does not define
     */
    public static LockStatus lockStatus(int pyLockStatus) {
        if (pyLockStatus == PY_LOCK_ACQUIRED) {
            return LockStatus.ACQUIRED;
        } else if (pyLockStatus == PY_LOCK_FAILURE) {
            return LockStatus.FAILURE;
        } else if (pyLockStatus == PY_LOCK_INTR) {
            return LockStatus.INTERRUPTED;
        }
        throw new IllegalStateException("unknown PyLockStatus " + pyLockStatus);
    }

    /**
     * The status a {@code Py_PARK_*} code stands for.
     *
     * @param code what {@code _PyParkingLot_Park} returned
     * @return its status
     * @throws IllegalStateException for a code {@code Include/internal/pycore_parking_lot.h} does not define
     */
    public static ParkStatus parkStatus(int code) {
        if (code == PARK_OK) {
            return ParkStatus.OK;
        } else if (code == PARK_AGAIN) {
            return ParkStatus.AGAIN;
        } else if (code == PARK_TIMEOUT) {
            return ParkStatus.TIMEOUT;
        } else if (code == PARK_INTR) {
            return ParkStatus.INTERRUPTED;
        }
        throw new IllegalStateException("unknown Py_PARK code " + code);
    }
}
