package org.cpylock.tck;


import java.time.Duration;

/** CPython's {@code PyMutex} as the conformance suite drives it. */
public interface MutexUnderTest extends InMemory {
    /** {@code PyMutex_Lock}. */
    void lock();

    /** {@code PyMutex_Unlock}; throws {@link IllegalMonitorStateException} if not locked. */
    void unlock();

    /**
     * {@code _PyMutex_LockTimed(m, 0, 0)}.
     *
     * @return whether the calling thread acquired the mutex
     */
    boolean tryLock();

    /**
     * {@code _PyMutex_LockTimed}: negative timeout waits forever.
     *
     * @param timeout negative: wait until acquired; zero: do not park; positive: give up after that long
     * @param flags   {@link LockOption#DETACH}, {@link LockOption#HANDLE_SIGNALS}, or none
     * @return {@link LockResult#ACQUIRED}, {@link LockResult#FAILURE} when the timeout expired, or
     *         {@link LockResult#INTERRUPTED} when a wait with {@code HANDLE_SIGNALS} was interrupted
     */
    LockResult lockTimed(Duration timeout, LockOption... flags);

    /**
     * {@code PyMutex_IsLocked}.
     *
     * @return whether bit 0 ({@code _Py_LOCKED}) of the state byte is set
     */
    boolean isLocked();

    /**
     * The state byte {@code _bits}.
     *
     * @return the state byte, 0 to 3: bit 0 locked, bit 1 has parked
     */
    int bits();
}
