package org.cpylock.api;

import java.time.Duration;

/**
 * CPython's {@code PyMutex} ({@code Include/cpython/lock.h}): a one-byte
 * mutex, not reentrant, whose waiters park in the parking lot and are handed
 * the mutex after waiting 1 ms. Bit 0 of the state byte is {@code _Py_LOCKED},
 * bit 1 {@code _Py_HAS_PARKED}.
 */
public interface PyMutex extends InMemory {
    /** Waits until the mutex is free and takes it: {@code PyMutex_Lock}. */
    void lock();

    /**
     * Releases the mutex, waking one parked waiter if any: {@code PyMutex_Unlock}.
     *
     * @throws IllegalMonitorStateException if the mutex is not locked (CPython's fatal error)
     */
    void unlock();

    /**
     * Takes the mutex if it is free, without waiting: {@code _PyMutex_LockTimed(m, 0, 0)}.
     *
     * @return whether the calling thread now holds the mutex
     */
    boolean tryLock();

    /**
     * Takes the mutex, waiting at most {@code timeout}: {@code _PyMutex_LockTimed}.
     *
     * @param timeout negative: wait until acquired; zero: do not park; positive: give up after that long
     * @param flags   {@link LockFlag#DETACH}, {@link LockFlag#HANDLE_SIGNALS}, or none
     * @return {@link LockStatus#ACQUIRED}, {@link LockStatus#FAILURE} when the timeout expired, or
     *         {@link LockStatus#INTERRUPTED} when a wait with {@code HANDLE_SIGNALS} was interrupted
     */
    LockStatus lockTimed(Duration timeout, LockFlag... flags);

    /**
     * Whether some thread holds the mutex: {@code PyMutex_IsLocked}.
     *
     * @return whether bit 0 of the state byte is set
     */
    boolean isLocked();

    /**
     * The state byte {@code _bits}, read atomically.
     *
     * @return 0 to 3: bit 0 locked, bit 1 has parked waiters
     */
    int bits();
}
