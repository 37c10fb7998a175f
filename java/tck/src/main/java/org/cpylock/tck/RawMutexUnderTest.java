package org.cpylock.tck;

/** CPython's {@code _PyRawMutex} as the conformance suite drives it. */
public interface RawMutexUnderTest extends InMemory {
    /** {@code _PyRawMutex_Lock}. */
    void lock();

    /** {@code _PyRawMutex_Unlock}; throws {@link IllegalMonitorStateException} if not locked. */
    void unlock();

    /**
     * The state word {@code v}: bit 0 locked, other bits the newest waiter's address.
     *
     * @return the state word; 0 when unlocked and nobody waits
     */
    long bits();
}
