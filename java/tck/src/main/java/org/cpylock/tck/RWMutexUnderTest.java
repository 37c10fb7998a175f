package org.cpylock.tck;

/** CPython's {@code _PyRWMutex} as the conformance suite drives it. */
public interface RWMutexUnderTest extends InMemory {
    /** {@code _PyRWMutex_RLock}. */
    void rlock();

    /** {@code _PyRWMutex_RUnlock}; throws {@link IllegalMonitorStateException} without a read lock. */
    void runlock();

    /** {@code _PyRWMutex_Lock}. */
    void lock();

    /** {@code _PyRWMutex_Unlock}; throws {@link IllegalMonitorStateException} without the write lock. */
    void unlock();

    /**
     * The state word {@code bits}: bit 0 write-locked, bit 1 has parked, readers from bit 2.
     *
     * @return the state word; 0 when unlocked and nobody waits
     */
    long bits();
}
