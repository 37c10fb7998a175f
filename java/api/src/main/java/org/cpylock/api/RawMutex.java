package org.cpylock.api;

/**
 * CPython's {@code _PyRawMutex} ({@code Include/internal/pycore_lock.h}): a
 * word-sized mutex that does not use the parking lot; its waiters form a stack
 * linked through the state word.
 */
public interface RawMutex extends InMemory {
    /** Waits until the mutex is free and takes it: {@code _PyRawMutex_Lock}. */
    void lock();

    /**
     * Releases the mutex, waking the newest waiter if any: {@code _PyRawMutex_Unlock}.
     *
     * @throws IllegalMonitorStateException if the mutex is not locked
     */
    void unlock();

    /**
     * Whether some thread holds the mutex.
     *
     * @return whether bit 0 of the state word is set
     */
    boolean isLocked();

    /**
     * The state word {@code v}, read atomically.
     *
     * @return bit 0 locked, the other bits the newest waiter's address; 0 when unlocked and nobody waits
     */
    long bits();
}
