package org.cpylock.tck;

/** CPython's {@code _PySeqLock} as the conformance suite drives it. */
public interface SeqLock {
    /** {@code _PySeqLock_LockWrite}. */
    void lockWrite();

    /** {@code _PySeqLock_UnlockWrite}; throws {@link IllegalMonitorStateException} unless writing. */
    void unlockWrite();

    /** {@code _PySeqLock_AbandonWrite}; throws {@link IllegalMonitorStateException} unless writing. */
    void abandonWrite();

    /** {@code _PySeqLock_BeginRead}. */
    int beginRead();

    /** {@code _PySeqLock_EndRead}. */
    boolean endRead(int sequence);

    /** {@code _PySeqLock_AfterFork}. */
    boolean afterFork();

    /** The field {@code sequence}. */
    int sequence();
}
