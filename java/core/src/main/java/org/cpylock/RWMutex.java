package org.cpylock;

import org.cpylock.internal.JavaPaths;
import org.cpylock.internal.LockC;
import org.cpylock.internal.Native;
import org.cpylock.internal.NativeSlots;
import org.cpylock.internal.OwnedMemory;
import org.cpylock.internal.OwnedStateWord;
import org.cpylock.internal.Proxies;
import org.cpylock.internal.StateWord;
import org.cpylock.internal.ThreadState;
import org.cpylock.internal.Timeouts;
import org.cpylock.internal.waits.Waits;

import java.lang.foreign.MemorySegment;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReadWriteLock;

import static org.cpylock.internal.CPythonConstants.HAS_PARKED;
import static org.cpylock.internal.CPythonConstants.ONE_READER;
import static org.cpylock.internal.CPythonConstants.READER_SHIFT;
import static org.cpylock.internal.CPythonConstants.WRITE_LOCKED;

/**
 * CPython's {@code _PyRWMutex} ({@code Include/internal/pycore_lock.h},
 * {@code Python/lock.c}): a writer-preferring readers-writer lock.
 *
 * <h2>State word</h2>
 * One {@code uintptr_t}, {@code bits}:
 * <pre>
 *   bit 0         _Py_WRITE_LOCKED: a writer holds the lock
 *   bit 1         _Py_HAS_PARKED: readers or writers are parked
 *   bits 2..      the number of readers holding the lock
 *
 *   0b000..00000  unlocked
 *   0bnnn..nnn00  n readers
 *   0bnnn..nnn10  n readers and a parked writer (new readers park too)
 *   0b00000..010  unlocked, a woken writer about to take the lock
 *   0b00000..001  write-locked
 *   0b00000..011  write-locked, readers or writers parked
 * </pre>
 * While a writer is parked, new readers park instead of joining the current
 * ones, so writers are not starved. The lock is not fair among writers and
 * not reentrant. Waiting threads park with their thread state detached.
 *
 * <h2>What the facade adds</h2>
 * CPython trusts its callers; the facade records which thread holds the
 * write lock and how many read locks each thread holds, and refuses releases
 * that do not match ({@link IllegalMonitorStateException}) and blocking
 * acquisitions that could only deadlock the calling thread
 * ({@link IllegalStateException}); a try that the caller's own hold makes
 * hopeless returns false instead.
 * The memory is zero-initialized and released once the lock is unreachable.
 */
public final class RWMutex extends OwnedState implements ReadWriteLock, org.cpylock.api.RWMutex {
    /*
     * Implementation notes. The acquiring steps of _PyRWMutex_RLock and
     * _PyRWMutex_Lock are compare-and-sets made from Java on the state word
     * (read once per attempt, at an address loaded once); the releases' atomic
     * steps (_PyRWMutex_RUnlock's addition, _PyRWMutex_Unlock's exchange) are
     * made from Java too, and C is called to wait and to wake (JavaPaths lists
     * these steps; -Dcpylock.javaPaths=false makes each operation one C call).
     * The try forms are the acquiring steps alone: CPython has no try-lock
     * for this lock. A virtual thread waits with LockC.
     *
     * The read holds are counted as ReentrantReadWriteLock counts them: the
     * thread whose compare-and-set took the lock from no readers to one is
     * the first reader, whose holds are counted in this object's plain fields
     * (only that thread reads them as its own, and it clears them before the
     * subtraction that lets another thread become the first reader); every
     * other reader's holds are counted in its thread state.
     */

    private static final long MAX_POLL_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /** A wait's flags: it detaches, as all of CPython's RWMutex waits do. */
    private static final Set<Wait.Flag> READ_FLAGS = Waits.flagSet(Wait.Flag.DETACH, Wait.Flag.READ);
    private static final Set<Wait.Flag> WRITE_FLAGS = Waits.flagSet(Wait.Flag.DETACH, Wait.Flag.WRITE);
    /** What {@code tryAddReader} returns when it added no reader: bits 0 and 1 set, never a word a reader was added to. */
    private static final long NO_READER_ADDED = -1;

    private final Lock readView = new ReadLockView();
    private final Lock writeView = new WriteLockView();
    /** The thread that took the lock from no readers to one, while it holds read locks (see the class notes). */
    private Thread firstReader;
    /** How many read locks {@link #firstReader} holds. */
    private int firstReaderHolds;
    /** The thread holding the write lock, or null. */
    private volatile Thread writer;

    /** A new, unlocked lock: one zeroed word, as CPython's {@code _PyRWMutex rw = {0}}; no C call. */
    public RWMutex() {
        super(NativeSlots.POINTERS);
    }

    /**
     * Acquires a read lock, parking while a writer holds or waits for the
     * lock. Not interruptible. {@code _PyRWMutex_RLock} ({@code Python/lock.c}).
     *
     * @throws IllegalStateException if the calling thread holds the write lock (it would wait for itself)
     */
    public void rlock() {
        long before = JavaPaths.ON ? tryAddReader() : NO_READER_ADDED;
        if (before == NO_READER_ADDED) {
            // The write bit is set while the calling thread writes: the check is needed only here.
            requireNotWriter("rlock");
            ThreadState thread = ThreadState.current();
            thread.requireDetachable("RWMutex.rlock");
            Waits.Token wait = Waits.begin(Wait.Primitive.RW_MUTEX, address, this::bits, true, READ_FLAGS);
            if (ThreadState.waitsInJava()) {
                LockC.rwMutexRLock(thread, word());
            } else {
                Proxies.await(() -> Native.rwMutexRLock(thread.segment(), segment()));
            }
            Waits.end(wait, Waits.Outcome.ACQUIRED);
        }
        holdRead(before == 0);
    }

    /**
     * Releases a read lock; the last reader wakes parked threads.
     * {@code _PyRWMutex_RUnlock} ({@code Python/lock.c}).
     *
     * @throws IllegalMonitorStateException if the calling thread holds no read lock
     */
    public void runlock() {
        if (!releaseReadHold()) {
            throw new IllegalMonitorStateException("RWMutex.runlock: the calling thread holds no read lock");
        }
        if (!JavaPaths.ON) {
            Native.rwMutexRUnlock(segment());
            return;
        }
        long after = OwnedMemory.getAndAddLong(this, address, -ONE_READER) - ONE_READER;
        if ((after >>> READER_SHIFT) == 0 && (after & HAS_PARKED) != 0) {
            Native.parkingLotUnparkAll(segment());
        }
    }

    /**
     * Acquires the write lock, parking while readers or another writer hold
     * it. Not interruptible. {@code _PyRWMutex_Lock} ({@code Python/lock.c}).
     *
     * @throws IllegalStateException if the calling thread already holds the lock, to read or write
     */
    public void lock() {
        ThreadState thread = ThreadState.current();
        requireNoHold(thread, "lock");
        if (!(JavaPaths.ON && tryAcquireWrite())) {
            thread.requireDetachable("RWMutex.lock");
            Waits.Token wait = Waits.begin(Wait.Primitive.RW_MUTEX, address, this::bits, true, WRITE_FLAGS);
            if (ThreadState.waitsInJava()) {
                LockC.rwMutexLock(thread, word());
            } else {
                Proxies.await(() -> Native.rwMutexLock(thread.segment(), segment()));
            }
            Waits.end(wait, Waits.Outcome.ACQUIRED);
        }
        writer = Thread.currentThread();
    }

    /**
     * Releases the write lock and wakes every parked thread.
     * {@code _PyRWMutex_Unlock} ({@code Python/lock.c}).
     *
     * @throws IllegalMonitorStateException if the calling thread does not hold the write lock
     */
    public void unlock() {
        if (writer != Thread.currentThread()) {
            throw new IllegalMonitorStateException("RWMutex.unlock: the calling thread does not hold the write lock");
        }
        writer = null;
        if (!JavaPaths.ON) {
            Native.rwMutexUnlock(segment());
        } else if ((OwnedMemory.getAndSetLong(this, address, 0) & HAS_PARKED) != 0) {
            Native.parkingLotUnparkAll(segment());
        }
    }

    /**
     * The state word {@code _PyRWMutex.bits} ({@code Include/internal/pycore_lock.h}), read atomically; no C call.
     *
     * @return the state word: {@code _Py_WRITE_LOCKED} in bit 0, {@code _Py_HAS_PARKED} in bit 1, the reader
     *         count above
     */
    public long bits() {
        return OwnedMemory.getLongVolatile(this, address);
    }

    /**
     * The number of read locks held (by all threads): {@code bits >> _PyRWMutex_READER_SHIFT}
     * ({@code Python/lock.c}); no C call.
     *
     * @return the reader count, 0 while the lock is write-locked or unlocked
     */
    public long readers() {
        return bits() >>> READER_SHIFT;
    }

    /**
     * The {@code _PyRWMutex} ({@code Include/internal/pycore_lock.h}) as a segment (it keeps the lock's memory
     * alive).
     *
     * @return an 8-byte slice of the lock's memory, at its state word
     */
    public MemorySegment segment() {
        return slot(8);
    }

    /** The state word, as {@link LockC} waits on it. */
    private StateWord word() {
        return new OwnedStateWord(this, address, segment(), 8);
    }

    /** {@link #rlock()} ({@code _PyRWMutex_RLock}) and {@link #runlock()} ({@code _PyRWMutex_RUnlock}, {@code Python/lock.c}) as a {@link Lock}. */
    @Override
    public Lock readLock() {
        return readView;
    }

    /** {@link #lock()} ({@code _PyRWMutex_Lock}) and {@link #unlock()} ({@code _PyRWMutex_Unlock}, {@code Python/lock.c}) as a {@link Lock}. */
    @Override
    public Lock writeLock() {
        return writeView;
    }

    /**
     * Acquires a read lock if no writer holds or waits for the lock: the
     * acquiring step of {@code _PyRWMutex_RLock} ({@code Python/lock.c}), without its wait.
     *
     * @return whether the calling thread now holds a read lock; false if a
     *         writer holds or waits for the lock, the calling thread included
     */
    public boolean tryRLock() {
        if (writer == Thread.currentThread()) {
            return false;
        }
        long before = tryAddReader();
        if (before == NO_READER_ADDED) {
            return false;
        }
        holdRead(before == 0);
        return true;
    }

    /**
     * The acquiring step of {@code _PyRWMutex_RLock}: add a reader unless a
     * writer holds or waits.
     *
     * @return the word the reader was added to (any value with bits 0 and 1 clear: the reader count is
     *         unsigned and may reach bit 63), or {@link #NO_READER_ADDED}
     */
    private long tryAddReader() {
        long address = this.address;
        long bits = OwnedMemory.getLongVolatile(this, address);
        return (bits & (WRITE_LOCKED | HAS_PARKED)) == 0
                && OwnedMemory.compareAndSetLong(this, address, bits, bits + ONE_READER) ? bits : NO_READER_ADDED;
    }

    /** Counts a read lock the calling thread took; {@code first}: its compare-and-set took the lock from no readers. */
    private void holdRead(boolean first) {
        Thread current = Thread.currentThread();
        if (first) {
            firstReader = current;
            firstReaderHolds = 1;
        } else if (firstReader == current) {
            firstReaderHolds++;
        } else {
            ThreadState.current().readHolds().increment(this);
        }
    }

    /** Uncounts a read lock of the calling thread, before its release; false (nothing changed) if it holds none. */
    private boolean releaseReadHold() {
        if (firstReader == Thread.currentThread()) {
            if (--firstReaderHolds == 0) {
                firstReader = null;
            }
            return true;
        }
        return ThreadState.current().readHolds().decrement(this);
    }

    /** How many read locks the calling thread holds. */
    private int readHoldCount(ThreadState thread) {
        return firstReader == Thread.currentThread() ? firstReaderHolds : thread.readHolds().count(this);
    }

    /**
     * Acquires the write lock if no reader or writer holds the lock: the
     * acquiring step of {@code _PyRWMutex_Lock} ({@code Python/lock.c}), without its wait.
     *
     * @return whether the calling thread now holds the write lock; false if
     *         any thread holds the lock, the calling thread included
     */
    public boolean tryLock() {
        if (holdsAny(ThreadState.current()) || !tryAcquireWrite()) {
            return false;
        }
        writer = Thread.currentThread();
        return true;
    }

    /** The acquiring step of {@code _PyRWMutex_Lock}: set the write bit unless a reader or writer holds the lock. */
    private boolean tryAcquireWrite() {
        long address = this.address;
        long bits = OwnedMemory.getLongVolatile(this, address);
        return (bits & ~HAS_PARKED) == 0 && OwnedMemory.compareAndSetLong(this, address, bits, bits | WRITE_LOCKED);
    }

    /** The state word, in hexadecimal, and the threads waiting on it inside cpylock, with how long they have waited. */
    @Override
    public String toString() {
        return "RWMutex[bits=0x" + Long.toHexString(bits()) + Waits.describeWaiters(address) + "]";
    }

    private void requireNotWriter(String method) {
        if (writer == Thread.currentThread()) {
            throw new IllegalStateException("RWMutex." + method
                    + ": the calling thread holds the write lock; waiting for a read lock would deadlock");
        }
    }

    /** Whether the calling thread holds the lock, to read or write. */
    private boolean holdsAny(ThreadState thread) {
        return writer == Thread.currentThread() || readHoldCount(thread) > 0;
    }

    private void requireNoHold(ThreadState thread, String method) {
        if (writer == Thread.currentThread()) {
            throw new IllegalStateException("RWMutex." + method
                    + ": the calling thread already holds the write lock; the lock is not reentrant");
        }
        if (readHoldCount(thread) > 0) {
            throw new IllegalStateException("RWMutex." + method
                    + ": the calling thread holds a read lock; waiting for the write lock would deadlock");
        }
    }

    /**
     * Polls {@code attempt} until it succeeds or {@code time} passes, backing
     * off up to 1 ms between attempts; false at once if {@code conflict}
     * (the calling thread's own hold makes waiting useless). CPython's lock
     * has no timed wait, so a timed acquisition does not park (and a timed
     * writer does not hold new readers back).
     */
    private static boolean poll(java.util.function.BooleanSupplier attempt, boolean conflict, long time,
                                TimeUnit unit) throws InterruptedException {
        long timeoutNs = Timeouts.toNanos(time, unit);
        long deadline = Timeouts.deadline(System.nanoTime(), Math.max(0, timeoutNs));
        long pause = 1_000;
        for (;;) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (conflict) {
                return false;
            }
            if (attempt.getAsBoolean()) {
                return true;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            LockSupport.parkNanos(Math.min(pause, remaining));
            pause = Math.min(pause * 2, MAX_POLL_NS);
        }
    }

    private final class ReadLockView implements Lock {
        /** {@link RWMutex#rlock()}: {@code _PyRWMutex_RLock} ({@code Python/lock.c}). */
        @Override
        public void lock() {
            rlock();
        }

        /**
         * Throws if the thread is interrupted on entry, then {@link RWMutex#rlock()},
         * whose wait is not interruptible ({@code _PyRWMutex_RLock} parks without a timeout).
         */
        @Override
        public void lockInterruptibly() throws InterruptedException {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            rlock();
        }

        /** {@link RWMutex#tryRLock()}: the acquiring step of {@code _PyRWMutex_RLock} ({@code Python/lock.c}). */
        @Override
        public boolean tryLock() {
            return tryRLock();
        }

        /**
         * {@link RWMutex#tryRLock()} (the acquiring step of {@code _PyRWMutex_RLock}, {@code Python/lock.c}),
         * retried with back-off until the time passes; interruptible. False at once if the calling thread
         * holds the write lock.
         */
        @Override
        public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
            return poll(RWMutex.this::tryRLock, writer == Thread.currentThread(), time, unit);
        }

        /** {@link RWMutex#runlock()}: {@code _PyRWMutex_RUnlock} ({@code Python/lock.c}). */
        @Override
        public void unlock() {
            runlock();
        }

        /** Not supported: CPython's lock has no condition variable. */
        @Override
        public Condition newCondition() {
            throw new UnsupportedOperationException("RWMutex has no condition variables (CPython's _PyRWMutex has none)");
        }
    }

    private final class WriteLockView implements Lock {
        /** {@link RWMutex#lock()}: {@code _PyRWMutex_Lock} ({@code Python/lock.c}). */
        @Override
        public void lock() {
            RWMutex.this.lock();
        }

        /**
         * Throws if the thread is interrupted on entry, then {@link RWMutex#lock()},
         * whose wait is not interruptible ({@code _PyRWMutex_Lock} parks without a timeout).
         */
        @Override
        public void lockInterruptibly() throws InterruptedException {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            RWMutex.this.lock();
        }

        /** {@link RWMutex#tryLock()}: the acquiring step of {@code _PyRWMutex_Lock} ({@code Python/lock.c}). */
        @Override
        public boolean tryLock() {
            return RWMutex.this.tryLock();
        }

        /**
         * {@link RWMutex#tryLock()} (the acquiring step of {@code _PyRWMutex_Lock}, {@code Python/lock.c}),
         * retried with back-off until the time passes; interruptible. False at once if the calling thread
         * holds the lock, to read or write.
         */
        @Override
        public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
            return poll(RWMutex.this::tryLock, holdsAny(ThreadState.current()), time, unit);
        }

        /** {@link RWMutex#unlock()}: {@code _PyRWMutex_Unlock} ({@code Python/lock.c}). */
        @Override
        public void unlock() {
            RWMutex.this.unlock();
        }

        /** Not supported: CPython's lock has no condition variable. */
        @Override
        public Condition newCondition() {
            throw new UnsupportedOperationException("RWMutex has no condition variables (CPython's _PyRWMutex has none)");
        }
    }
}
