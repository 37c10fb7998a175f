package org.cpylock.tck;

/** CPython's {@code _PySeqLock} as the conformance suite drives it. */
public interface SeqLockUnderTest extends InMemory {
    /** {@code _PySeqLock_LockWrite}. */
    void lockWrite();

    /** {@code _PySeqLock_UnlockWrite}; throws {@link IllegalMonitorStateException} unless writing. */
    void unlockWrite();

    /** {@code _PySeqLock_AbandonWrite}; throws {@link IllegalMonitorStateException} unless writing. */
    void abandonWrite();

    /**
     * {@code _PySeqLock_BeginRead}.
     *
     * @return the sequence, even (it waits while a write is active); pass it to {@link #endRead(int)}
     */
    int beginRead();

    /**
     * {@code _PySeqLock_EndRead}.
     *
     * @param sequence what {@link #beginRead()} returned
     * @return true if the sequence is unchanged (the data read is consistent); false if it must be read again
     */
    boolean endRead(int sequence);

    /**
     * {@code _PySeqLock_AfterFork}.
     *
     * @return true if a write was in progress (odd sequence) and the sequence is now 0; false if it was even
     *         and is unchanged
     */
    boolean afterFork();

    /**
     * The field {@code sequence}.
     *
     * @return the sequence, odd while a write is active
     */
    int sequence();
}
