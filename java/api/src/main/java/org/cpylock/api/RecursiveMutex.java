package org.cpylock.api;

/**
 * CPython's {@code _PyRecursiveMutex} ({@code Include/internal/pycore_lock.h}):
 * a {@code PyMutex} with an owner and a re-entry level, so that its owner may
 * lock it again.
 */
public interface RecursiveMutex extends InMemory {
    /** Takes the mutex, or enters it again if the calling thread owns it: {@code _PyRecursiveMutex_Lock}. */
    void lock();

    /**
     * Leaves one level, releasing the mutex at the outermost: {@code _PyRecursiveMutex_Unlock}.
     *
     * @throws IllegalMonitorStateException if the calling thread does not own the mutex, or, at the
     *         outermost level, its inner mutex is not locked (it was unlocked through {@link #mutex()});
     *         a refused unlock changes nothing
     */
    void unlock();

    /**
     * Whether the calling thread owns the mutex: {@code _PyRecursiveMutex_IsLockedByCurrentThread}.
     *
     * @return true if it does
     */
    boolean isLockedByCurrentThread();

    /**
     * The field {@code level} (a {@code size_t}): re-entries beyond the first.
     *
     * @return the level, as an unsigned 64-bit value; 0 when unowned or locked once
     */
    long level();

    /**
     * The field {@code thread}: the owner's identity.
     *
     * @return the owner's identity, different for each thread; 0 when unowned
     */
    long owner();

    /**
     * The inner mutex, field {@code mutex}.
     *
     * @return the {@code PyMutex} the recursive mutex locks
     */
    PyMutex mutex();
}
