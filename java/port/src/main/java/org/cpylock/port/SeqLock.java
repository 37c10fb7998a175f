package org.cpylock.port;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * CPython's {@code _PySeqLock} ({@code Include/internal/pycore_lock.h},
 * {@code Python/lock.c}): a sequence lock that lets readers run without
 * writing shared memory.
 *
 * <h2>State word</h2>
 * One {@code uint32_t}, {@code sequence}: even while no write is active, odd
 * while one is. A writer moves it from even to odd by compare-and-set
 * (yielding while another writer is active), then to the next even number
 * ({@link #unlockWrite()}) or back to the previous one ({@link #abandonWrite()}).
 * A reader takes the sequence before reading ({@link #beginRead()}, yielding
 * while it is odd) and checks it is unchanged after ({@link #endRead(int)}).
 */
public final class SeqLock implements org.cpylock.api.SeqLock {
    /*
     * Implementation notes: the six functions of Python/lock.c (line 505-578)
     * ported directly; _Py_yield is Thread.yield() and C's fences are
     * VarHandle fences. Nobody parks: writers and readers spin with yields.
     * The sequence is an unsigned 32-bit value carried in an int.
     *
     * The port records the writing thread (Writers, by address): ending a
     * write that is not the caller's throws IllegalMonitorStateException; a
     * second lockWrite or a beginRead by the writer itself (which would yield
     * forever) throws IllegalStateException; and afterFork refuses to reset a
     * sequence that a live thread of this process is writing, since only a
     * forked child, where that thread does not exist, may do so.
     */

    private final Port port;
    private final AtomicWord sequence;

    SeqLock(Port port, AtomicWord sequence) {
        this.port = port;
        this.sequence = sequence;
    }

    /**
     * Starts a write: makes the sequence odd, yielding while another write is
     * active. {@code _PySeqLock_LockWrite} ({@code Python/lock.c}).
     *
     * @throws IllegalStateException if the calling thread is writing already
     */
    public void lockWrite() {
        long address = sequence.address();
        if (port.seqWriters().heldByCurrentThread(address)) {
            throw new IllegalStateException("SeqLock.lockWrite: the calling thread is writing already; the lock is"
                    + " not reentrant");
        }
        long prev = sequence.get();
        for (;;) {
            if (isUpdating(prev)) {
                // Another thread is writing.
                Thread.yield();
                prev = sequence.get();
            } else {
                long witness = sequence.compareAndExchange(prev, (prev + 1) & 0xFFFF_FFFFL);
                if (witness == prev) {
                    VarHandle.releaseFence();
                    break;
                }
                prev = witness;
                Thread.yield();
            }
        }
        port.seqWriters().acquired(address);
    }

    /**
     * Ends a write: moves the sequence to the next even number, so that
     * readers that overlapped it retry. {@code _PySeqLock_UnlockWrite} ({@code Python/lock.c}).
     *
     * @throws IllegalMonitorStateException if the calling thread is not writing
     */
    public void unlockWrite() {
        endWrite("unlockWrite");
        sequence.set((sequence.get() + 1) & 0xFFFF_FFFFL);
    }

    /**
     * Ends a write that changed nothing: moves the sequence back to the even
     * number it had, so readers need not retry. {@code _PySeqLock_AbandonWrite}
     * ({@code Python/lock.c}).
     *
     * @throws IllegalMonitorStateException if the calling thread is not writing
     */
    public void abandonWrite() {
        endWrite("abandonWrite");
        sequence.set((sequence.get() - 1) & 0xFFFF_FFFFL);
    }

    /**
     * Starts a read: the sequence once it is even, yielding while a write is
     * active. {@code _PySeqLock_BeginRead} ({@code Python/lock.c}).
     *
     * @return the sequence, even; pass it to {@link #endRead(int)}
     * @throws IllegalStateException if the calling thread is writing (it would yield forever)
     */
    public int beginRead() {
        if (port.seqWriters().heldByCurrentThread(sequence.address())) {
            throw new IllegalStateException("SeqLock.beginRead: the calling thread is writing; it would wait for"
                    + " itself");
        }
        long current = sequence.get();
        while (isUpdating(current)) {
            Thread.yield();
            current = sequence.get();
        }
        return (int) current;
    }

    /**
     * Ends a read: whether the sequence still equals {@code previous}, that is
     * whether the data read is consistent (yielding once if not).
     * {@code _PySeqLock_EndRead} ({@code Python/lock.c}).
     *
     * @param previous what {@link #beginRead()} returned
     * @return true if the data read is consistent; false if it must be read again
     */
    public boolean endRead(int previous) {
        // gh-121368: the reads of the data must not move after this load.
        VarHandle.acquireFence();
        if (sequence.get() == Integer.toUnsignedLong(previous)) {
            return true;
        }
        Thread.yield();
        return false;
    }

    /**
     * After a fork: if a write was in progress (odd sequence), resets the
     * sequence to 0 and returns true, meaning the protected data must be
     * cleared. {@code _PySeqLock_AfterFork} ({@code Python/lock.c}).
     *
     * @return true if the sequence was odd and is now 0; false if it was even and is unchanged
     * @throws IllegalStateException if a live thread of this process is writing
     */
    public boolean afterFork() {
        long address = sequence.address();
        Thread writer = port.seqWriters().holder(address);
        if (writer != null && writer.isAlive()) {
            throw new IllegalStateException("SeqLock.afterFork: " + writer + " is writing; only a forked child,"
                    + " where that thread does not exist, may reset the sequence");
        }
        if (isUpdating(sequence.get())) {
            sequence.set(0);
            port.seqWriters().clear(address);
            return true;
        }
        return false;
    }

    /**
     * The field {@code _PySeqLock.sequence} ({@code Include/internal/pycore_lock.h}), read atomically.
     *
     * @return the sequence (an unsigned 32-bit value), odd while a write is active
     */
    public int sequence() {
        return (int) sequence.get();
    }

    /**
     * The {@code _PySeqLock} ({@code Include/internal/pycore_lock.h}) as memory, laid out as the C type, for comparing
     * with C byte for byte (no CPython function).
     *
     * @return the 4 bytes of the sequence
     */
    public MemorySegment segment() {
        return sequence.slice();
    }

    @Override
    public String toString() {
        return "SeqLock[sequence=" + Integer.toUnsignedString(sequence()) + "]";
    }

    /** {@code SEQLOCK_IS_UPDATING} ({@code Python/lock.c}, line 505). */
    private static boolean isUpdating(long sequence) {
        return (sequence & 1) != 0;
    }

    private void endWrite(String method) {
        if (!port.seqWriters().releasing(sequence.address())) {
            throw new IllegalMonitorStateException("SeqLock." + method + ": the calling thread is not writing");
        }
    }
}
