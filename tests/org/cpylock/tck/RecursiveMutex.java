package org.cpylock.tck;

/** CPython's {@code _PyRecursiveMutex} as the conformance suite drives it. */
public interface RecursiveMutex {
    /** {@code _PyRecursiveMutex_Lock}. */
    void lock();

    /** {@code _PyRecursiveMutex_Unlock}; throws {@link IllegalMonitorStateException} unless owned. */
    void unlock();

    /** {@code _PyRecursiveMutex_IsLockedByCurrentThread}. */
    boolean isLockedByCurrentThread();

    /** The field {@code level}: re-entries beyond the first. */
    int level();

    /** The field {@code thread}: the owner's identity, 0 when unowned. */
    long owner();

    /** The state byte of the inner {@code PyMutex}. */
    int mutexBits();
}
