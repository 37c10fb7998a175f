package org.cpylock.api;

/**
 * CPython's {@code _PyRWMutex} ({@code Include/internal/pycore_lock.h}): a
 * word-sized readers-writer mutex, not reentrant, where a waiting writer
 * blocks new readers. Bit 0 of the state word is the write lock, bit 1
 * {@code _Py_HAS_PARKED}, and the bits from 2 up count the readers.
 */
public interface RWMutex extends InMemory {
    /** Takes a read lock, waiting while a writer holds or waits for the mutex: {@code _PyRWMutex_RLock}. */
    void rlock();

    /**
     * Releases a read lock, waking the waiters when it was the last: {@code _PyRWMutex_RUnlock}.
     *
     * @throws IllegalMonitorStateException if no read lock is held
     */
    void runlock();

    /** Takes the write lock, waiting while any lock is held: {@code _PyRWMutex_Lock}. */
    void lock();

    /**
     * Releases the write lock and wakes every waiter: {@code _PyRWMutex_Unlock}.
     *
     * @throws IllegalMonitorStateException if the write lock is not held
     */
    void unlock();

    /**
     * The state word {@code bits}, read atomically.
     *
     * @return bit 0 write-locked, bit 1 has parked, readers from bit 2; 0 when unlocked and nobody waits
     */
    long bits();

    /**
     * The number of read locks held.
     *
     * @return the state word's bits from bit 2 up
     */
    long readers();
}
