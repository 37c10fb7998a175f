package org.cpylock.api;

/**
 * CPython's {@code _PySeqLock} ({@code Include/internal/pycore_lock.h}): a
 * sequence counter, odd while a writer writes; readers retry when it changed
 * under them.
 */
public interface SeqLock extends InMemory {
    /** Starts a write, waiting while another is active: {@code _PySeqLock_LockWrite}. */
    void lockWrite();

    /**
     * Ends a write, making the sequence even again: {@code _PySeqLock_UnlockWrite}.
     *
     * @throws IllegalMonitorStateException if no write is active
     */
    void unlockWrite();

    /**
     * Ends a write that changed nothing, restoring the previous sequence: {@code _PySeqLock_AbandonWrite}.
     *
     * @throws IllegalMonitorStateException if no write is active
     */
    void abandonWrite();

    /**
     * Starts a read, waiting while a write is active: {@code _PySeqLock_BeginRead}.
     *
     * @return the sequence, even; pass it to {@link #endRead(int)}
     */
    int beginRead();

    /**
     * Ends a read: {@code _PySeqLock_EndRead}.
     *
     * @param sequence what {@link #beginRead()} returned
     * @return true if the sequence is unchanged (the data read is consistent); false if it must be read again
     */
    boolean endRead(int sequence);

    /**
     * Resets a write interrupted by {@code fork()}: {@code _PySeqLock_AfterFork}.
     *
     * @return true if a write was active (odd sequence) and the sequence is now 0; false if it was even
     *         and is unchanged
     */
    boolean afterFork();

    /**
     * The field {@code sequence}, read atomically (an unsigned 32-bit value in C).
     *
     * @return the sequence, odd while a write is active
     */
    int sequence();
}
