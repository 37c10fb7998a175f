package org.cpylock;

import org.cpylock.internal.JavaPaths;
import org.cpylock.internal.LockC;
import org.cpylock.internal.Native;
import org.cpylock.internal.NativeSlots;
import org.cpylock.internal.OwnedMemory;
import org.cpylock.internal.OwnedStateWord;
import org.cpylock.internal.StateWord;
import org.cpylock.internal.ThreadState;
import org.cpylock.internal.waits.Waits;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * CPython's {@code _PySeqLock} ({@code Include/internal/pycore_lock.h},
 * {@code Python/lock.c}): a sequence lock that lets readers run without
 * writing shared memory.
 *
 * <h2>State word</h2>
 * One {@code uint32_t}, {@code sequence}: even while no writer is active,
 * odd while one is. A writer moves it from even to odd by compare-and-set
 * (yielding while another writer holds it), then to the next even number
 * when done, or back to the previous one when it abandons its write. A
 * reader takes the sequence before reading ({@link #beginRead()}, which
 * yields while it is odd) and checks it is unchanged after
 * ({@link #endRead(int)}); if not, it reads again.
 *
 * <pre>{@code
 * int seq;
 * do {
 *     seq = lock.beginRead();
 *     // read the protected data
 * } while (!lock.endRead(seq));
 * }</pre>
 *
 * <p>The facade records the writing thread and refuses write releases by
 * any other ({@link IllegalMonitorStateException}). The memory is
 * zero-initialized and released once the lock is unreachable.
 */
public final class SeqLock extends OwnedState implements org.cpylock.api.SeqLock {
    /*
     * Implementation notes. _PySeqLock_BeginRead's first step (an acquiring
     * read, returned if even) and _PySeqLock_EndRead's acquire fence and
     * comparison are made from Java, and C is called to wait out a write or
     * when the comparison fails (JavaPaths). A virtual thread does not yield
     * in C while a write is active: it parks in Java until the write ends
     * (awaitWriteEnd, awaitReadable), every write's end waking such threads.
     */

    private static final Set<Wait.Flag> WRITE_FLAGS = Waits.flagSet(Wait.Flag.WRITE);
    private static final Set<Wait.Flag> READ_FLAGS = Waits.flagSet(Wait.Flag.READ);

    /** The thread between {@link #lockWrite()} and its unlock or abandon, or null. */
    private volatile Thread writer;
    /** Threads that wait in Java for a write to end (see {@link #awaitWriteEnd}), once there have been any. */
    private volatile ParkedThreads parked;

    /** A new lock, sequence 0: zeroed memory, as CPython's {@code _PySeqLock lock = {0}}; no C call. */
    public SeqLock() {
        super(NativeSlots.WORDS);
    }

    /**
     * Starts a write: makes the sequence odd, yielding while another writer
     * is active. {@code _PySeqLock_LockWrite} ({@code Python/lock.c}).
     *
     * @throws IllegalStateException if the calling thread is writing already (it would yield forever)
     */
    public void lockWrite() {
        if (writer == Thread.currentThread()) {
            throw new IllegalStateException("SeqLock.lockWrite: the calling thread is writing already; "
                    + "the lock is not reentrant");
        }
        if ((sequence() & 1) == 0) {
            Native.seqLockLockWrite(segment());
        } else {
            // Another thread writes: _PySeqLock_LockWrite yields until it is done.
            Waits.Token wait = Waits.begin(Wait.Primitive.SEQ_LOCK, address, this::unsignedSequence, false, WRITE_FLAGS);
            if (Thread.currentThread().isVirtual()) {
                LockC.seqLockLockWrite(word(), this::awaitWriteEnd);
            } else {
                Native.seqLockLockWrite(segment());
            }
            Waits.end(wait, Waits.Outcome.ACQUIRED);
        }
        writer = Thread.currentThread();
    }

    /**
     * Ends a write: moves the sequence to the next even number, so readers
     * that overlapped it retry. {@code _PySeqLock_UnlockWrite} ({@code Python/lock.c}).
     *
     * @throws IllegalMonitorStateException if the calling thread did not call {@link #lockWrite()}
     */
    public void unlockWrite() {
        endWrite("unlockWrite");
        Native.seqLockUnlockWrite(segment());
        wakeParked();
    }

    /**
     * Ends a write that changed nothing: moves the sequence back to the even
     * number it had, so readers need not retry. {@code _PySeqLock_AbandonWrite}
     * ({@code Python/lock.c}).
     *
     * @throws IllegalMonitorStateException if the calling thread did not call {@link #lockWrite()}
     */
    public void abandonWrite() {
        endWrite("abandonWrite");
        Native.seqLockAbandonWrite(segment());
        wakeParked();
    }

    /**
     * Starts a read: returns the sequence once it is even, yielding while a
     * write is active. {@code _PySeqLock_BeginRead} ({@code Python/lock.c}).
     *
     * @return the sequence, even; pass it to {@link #endRead(int)}
     * @throws IllegalStateException if the calling thread is writing (it would yield forever)
     */
    public int beginRead() {
        int sequence = sequence();
        if ((sequence & 1) == 0) {
            return sequence; // no write in progress, by this thread or any other
        }
        if (writer == Thread.currentThread()) {
            throw new IllegalStateException("SeqLock.beginRead: the calling thread is writing; "
                    + "it would wait for itself");
        }
        // A write is in progress: _PySeqLock_BeginRead yields until it is done.
        Waits.Token wait = Waits.begin(Wait.Primitive.SEQ_LOCK, address, this::unsignedSequence, false, READ_FLAGS);
        int read = Thread.currentThread().isVirtual() ? (int) LockC.seqLockBeginRead(word(), this::awaitReadable)
                : Native.seqLockBeginRead(segment());
        Waits.end(wait, Waits.Outcome.ACQUIRED);
        return read;
    }

    /**
     * Ends a read: whether the sequence still equals {@code sequence}, that
     * is, whether the data read is consistent (yields once if not).
     * {@code _PySeqLock_EndRead} ({@code Python/lock.c}).
     *
     * @param sequence what {@link #beginRead()} returned
     * @return true if the data read is consistent; false if it must be read again
     */
    public boolean endRead(int sequence) {
        VarHandle.acquireFence(); // the reads of the data happen before the check
        return JavaPaths.ON && sequence() == sequence || Native.seqLockEndRead(segment(), sequence);
    }

    /**
     * After a fork: if a write was in progress (odd sequence), resets the
     * sequence to 0 and returns true, meaning the protected data must be
     * cleared. {@code _PySeqLock_AfterFork} ({@code Python/lock.c}).
     *
     * @return true if the sequence was odd and is now 0; false if it was even and is unchanged
     * @throws IllegalStateException if a live thread of this process is writing
     *         (only a forked child, where that thread does not exist, may reset)
     */
    public boolean afterFork() {
        Thread current = writer;
        if (current != null && current.isAlive()) {
            throw new IllegalStateException("SeqLock.afterFork: " + current + " is writing; resetting the sequence"
                    + " under it would leave it odd after its unlock");
        }
        boolean reset = Native.seqLockAfterFork(segment());
        if (reset) {
            writer = null;
            wakeParked();
        }
        return reset;
    }

    /**
     * {@code _PySeqLock.sequence} ({@code Include/internal/pycore_lock.h}), an unsigned 32-bit value in an int,
     * read atomically; no C call.
     *
     * @return the sequence, odd while a write is active
     */
    public int sequence() {
        return OwnedMemory.getIntVolatile(this, address);
    }

    /**
     * The {@code _PySeqLock} ({@code Include/internal/pycore_lock.h}) as a segment (it keeps the lock's memory
     * alive).
     *
     * @return a 4-byte slice of the lock's memory, at its sequence word
     */
    public MemorySegment segment() {
        return slot(4);
    }

    /**
     * {@code _Py_yield()} in {@link LockC}'s write loop, for a thread that
     * waits in Java: parks until a write ends (every write goes through this
     * object), unless the sequence is no longer {@code seen}.
     */
    private void awaitWriteEnd(long seen) {
        waitingThreads().awaitChange(true, seen);
    }

    /** The same, in the read loop. */
    private void awaitReadable(long seen) {
        waitingThreads().awaitChange(false, seen);
    }

    private ParkedThreads waitingThreads() {
        ParkedThreads threads = parked;
        if (threads == null) {
            synchronized (this) {
                threads = parked;
                if (threads == null) {
                    threads = parked = new ParkedThreads();
                }
            }
        }
        return threads;
    }

    /** After a write ends: every parked reader, and one parked writer, look again. */
    private void wakeParked() {
        ParkedThreads threads = parked;
        if (threads != null) {
            threads.wake();
        }
    }

    /**
     * The threads parked in Java until a write ends: readers, who may all go
     * on, and writers, of whom one at a time may (each write's end wakes the
     * next, so a write never wakes every writer to let one in).
     */
    private final class ParkedThreads {
        private final ConcurrentLinkedQueue<Thread> readers = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<Thread> writers = new ConcurrentLinkedQueue<>();

        void awaitChange(boolean writer, long seen) {
            ConcurrentLinkedQueue<Thread> queue = writer ? writers : readers;
            Thread current = Thread.currentThread();
            queue.add(current);
            try {
                if (unsignedSequence() == seen) {
                    LockSupport.park(SeqLock.this);
                }
            } finally {
                queue.remove(current);
            }
        }

        void wake() {
            for (Thread reader : readers) {
                LockSupport.unpark(reader);
            }
            Thread writer = writers.poll();
            if (writer != null) {
                LockSupport.unpark(writer);
            }
        }
    }

    private long unsignedSequence() {
        return Integer.toUnsignedLong(sequence());
    }

    /** The sequence, as {@link LockC} waits on it. */
    private StateWord word() {
        return new OwnedStateWord(this, address, segment(), 4);
    }

    @Override
    public String toString() {
        return "SeqLock[sequence=" + Integer.toUnsignedString(sequence()) + Waits.describeWaiters(address) + "]";
    }

    private void endWrite(String method) {
        if (writer != Thread.currentThread()) {
            throw new IllegalMonitorStateException("SeqLock." + method + ": the calling thread is not writing"
                    + " (it did not call lockWrite)");
        }
        writer = null;
    }
}
