package org.cpylock.tck;

/** CPython's {@code _PyRecursiveMutex} as the conformance suite drives it. */
public interface RecursiveMutexUnderTest extends InMemory {
    /** {@code _PyRecursiveMutex_Lock}. */
    void lock();

    /** {@code _PyRecursiveMutex_Unlock}; throws {@link IllegalMonitorStateException} unless owned. */
    void unlock();

    /**
     * {@code _PyRecursiveMutex_IsLockedByCurrentThread}.
     *
     * @return whether the calling thread owns the mutex
     */
    boolean isLockedByCurrentThread();

    /**
     * The field {@code level} (a {@code size_t}): re-entries beyond the first.
     *
     * @return the level, as an unsigned 64-bit value; 0 when unowned or locked once
     */
    long level();

    /**
     * The field {@code thread}: the owner's identity, 0 when unowned.
     *
     * @return the owner's identity, different for each thread, or 0
     */
    long owner();

    /**
     * The state byte of the inner {@code PyMutex}.
     *
     * @return the inner mutex's state byte, 0 to 3
     */
    int mutexBits();
}
