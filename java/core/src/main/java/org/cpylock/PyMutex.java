package org.cpylock;

import org.cpylock.api.LockFlag;
import org.cpylock.api.LockStatus;
import org.cpylock.internal.ByteStateWord;
import org.cpylock.internal.CPythonConstants;
import org.cpylock.internal.Interrupts;
import org.cpylock.internal.JavaPaths;
import org.cpylock.internal.LockC;
import org.cpylock.internal.Native;
import org.cpylock.internal.NativeLibrary;
import org.cpylock.internal.NativeSlots;
import org.cpylock.internal.OwnedMemory;
import org.cpylock.internal.Proxies;
import org.cpylock.internal.Segments;
import org.cpylock.internal.StateWord;
import org.cpylock.internal.ThreadState;
import org.cpylock.internal.Timeouts;
import org.cpylock.internal.waits.Waits;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

import static org.cpylock.internal.CPythonConstants.LOCKED;
import static org.cpylock.internal.CPythonConstants.LOCK_DETACH;
import static org.cpylock.internal.CPythonConstants.LOCK_DONT_DETACH;
import static org.cpylock.internal.CPythonConstants.LOCK_HANDLE_SIGNALS;
import static org.cpylock.internal.CPythonConstants.PY_LOCK_INTR;

/**
 * CPython's {@code PyMutex} ({@code Include/cpython/lock.h}, {@code Python/lock.c}):
 * a one-byte mutex with a parking lot behind it.
 *
 * <h2>State word</h2>
 * One byte, {@code _bits}; only its two low bits are used:
 * <pre>
 *   0b00  unlocked
 *   0b01  locked                              (_Py_LOCKED)
 *   0b10  unlocked, threads parked on it      (_Py_HAS_PARKED)
 *   0b11  locked, threads parked on it
 * </pre>
 * A thread that finds the mutex locked spins (free-threaded flavour: up to 40
 * yields while nobody is parked), then sets {@code _Py_HAS_PARKED} and parks
 * in the parking lot under the byte's address. {@code unlock()} of a byte with
 * parked threads wakes one; if that waiter has waited longer than 1 ms, the
 * mutex is handed to it directly (the byte goes from 0b11 to 0b01 or 0b11
 * without passing through unlocked), which keeps waiters from starving.
 *
 * <p>The mutex has no owner: any thread may unlock it, as in CPython. It is
 * not reentrant: locking it twice from one thread deadlocks.
 *
 * <h2>Cost</h2>
 * An uncontended {@link #lock()}, {@link #unlock()} or {@link #tryLock()}
 * makes no call into C; the byte takes exactly the values C's would.
 *
 * <h2>Virtual threads</h2>
 * A virtual thread waits without holding its carrier: it spins and parks in
 * Java, as a waiter of the same parking lot, with the same state bytes,
 * order and hand-off as a platform thread. See docs/RELIABILITY.md.
 *
 * <h2>Memory</h2>
 * {@code new PyMutex()} owns zero-initialized native memory, released once the
 * mutex is unreachable (never while a thread is inside one of its methods).
 * {@link #at(MemorySegment)} wraps memory the caller owns instead.
 */
public final class PyMutex implements Lock, org.cpylock.api.PyMutex {
    /*
     * Implementation notes. As CPython's static-inline PyMutex_Lock and
     * PyMutex_Unlock do, lock() and unlock() first try one compare-and-set
     * (0 to 1, 1 to 0) on the byte, here from Java, and call lock.c only when
     * that fails; tryLock() makes _PyMutex_LockTimed's opening steps (fail if
     * locked, else one compare-and-set) and calls C only when the
     * compare-and-set loses a race (JavaPaths lists these steps). A wait is
     * one call of _PyMutex_LockTimed, or LockC's copy of its loop for a thread
     * that must not block in C: a virtual thread, and, bound to an
     * interpreter, an interruptible wait (Interrupts). The byte lives in a
     * facade-owned slot or in the caller's segment (ByteStateWord).
     */

    /** The facade-owned slab holding the byte, or null if the byte is in the caller's memory. */
    private final MemorySegment slab;
    /** The byte's address in {@link #slab}. */
    private final long ownedAddress;
    /** The byte in the caller's memory, or null if the facade owns it. */
    private final ByteStateWord.InSegment callerByte;

    private PyMutex(MemorySegment slab, long ownedAddress) {
        this.slab = slab;
        this.ownedAddress = ownedAddress;
        this.callerByte = null;
    }

    private PyMutex(ByteStateWord.InSegment callerByte) {
        this.slab = null;
        this.ownedAddress = 0;
        this.callerByte = callerByte;
    }

    /** A new, unlocked mutex in native memory of its own: one zeroed byte, as CPython's {@code (PyMutex){0}}; no C call. */
    public PyMutex() {
        NativeLibrary.ensureLoaded();
        NativeSlots.Slot slot = NativeSlots.WORDS.allocate();
        this.slab = slot.slab();
        this.ownedAddress = slot.address();
        this.callerByte = null;
    }

    /**
     * A mutex whose state byte is the first byte of {@code segment}: memory the
     * caller owns, for example a {@code PyMutex} inside a structure shared with
     * C code. Zeroed memory is an unlocked mutex. Every method keeps the
     * segment's arena from closing while it runs; a wait on a closed arena's
     * memory fails with {@link IllegalStateException}.
     *
     * @param segment native, writable memory whose first byte is the mutex's state byte
     * @return a new object for the mutex at that byte; all such objects share its state
     * @throws IllegalArgumentException if the segment is not native, is read-only or is empty
     * @throws IllegalStateException    if the segment's arena is already closed
     */
    public static PyMutex at(MemorySegment segment) {
        Segments.requireWritable(segment, 1, 1, "PyMutex.at");
        NativeLibrary.ensureLoaded();
        return new PyMutex(ByteStateWord.InSegment.of(segment, 0));
    }

    /**
     * The mutex at byte {@code offset} of {@code segment}, whose aligned
     * 4-byte word the segment holds ({@code Implementation.mutexAt}).
     */
    static PyMutex inWord(MemorySegment segment, long offset) {
        Segments.requireWritable(segment, 1, 1, "Implementation.mutexAt");
        ByteStateWord.InSegment state = ByteStateWord.InSegment.of(segment, offset);
        if (state.shift() == ByteStateWord.InSegment.IN_C) {
            throw new IllegalArgumentException("Implementation.mutexAt: the aligned 4-byte word around byte "
                    + offset + " is not all in the segment of " + segment.byteSize() + " bytes");
        }
        NativeLibrary.ensureLoaded();
        return new PyMutex(state);
    }

    /** The inner mutex of a structure the facade owns, at {@code address} in {@code slab}. */
    static PyMutex inOwnedSlot(MemorySegment slab, long address) {
        return new PyMutex(slab, address);
    }

    /**
     * The {@code PyMutex} ({@code Include/cpython/lock.h}) as a one-byte segment (it keeps the mutex's memory
     * alive).
     *
     * @return a one-byte slice of the mutex's memory, at its state byte
     */
    public MemorySegment segment() {
        return callerByte == null ? slab.asSlice(ownedAddress - slab.address(), 1) : callerByte.slice();
    }

    /**
     * Locks the mutex, parking the thread while it is held elsewhere. Not
     * interruptible. {@code PyMutex_Lock} ({@code Include/cpython/lock.h}):
     * {@code _PyMutex_LockTimed(m, -1, _PY_LOCK_DETACH)} ({@code Python/lock.c}) unless free.
     */
    @Override
    public void lock() {
        if (!(JavaPaths.ON && compareAndSetBits(0, LOCKED))) {
            lockSlow(-1, LOCK_DETACH);
        }
    }

    /**
     * Unlocks the mutex, waking one parked thread if any (handing the mutex
     * to it if it has waited over 1 ms). {@code PyMutex_Unlock}
     * ({@code Include/cpython/lock.h}): {@code _PyMutex_TryUnlock} ({@code Python/lock.c})
     * unless nobody is parked.
     *
     * @throws IllegalMonitorStateException if the mutex is not locked
     *         (where CPython's {@code PyMutex_Unlock} would abort the process)
     */
    @Override
    public void unlock() {
        if (JavaPaths.ON && compareAndSetBits(LOCKED, 0)) {
            return;
        }
        if (Native.mutexUnlockChecked(segment()) < 0) {
            throw new IllegalMonitorStateException("PyMutex.unlock: the mutex is not locked");
        }
        int after = bits();
        if ((after & LOCKED) != 0) {
            // Still locked through the unlock: handed to a waiter (or, rarely, taken
            // by another thread in the instant since).
            Waits.handoff(address(), after);
        }
    }

    /**
     * Locks the mutex if it is unlocked now; never waits.
     * {@code _PyMutex_LockTimed(m, 0, _Py_LOCK_DONT_DETACH)} ({@code Python/lock.c}).
     *
     * @return whether the calling thread now holds the mutex
     */
    @Override
    public boolean tryLock() {
        if (!JavaPaths.ON) {
            return lockSlow(0, LOCK_DONT_DETACH) == LockStatus.ACQUIRED;
        }
        int bits = bits();
        if ((bits & LOCKED) != 0) {
            return false;
        }
        return compareAndSetBits(bits, bits | LOCKED)
                || lockSlow(0, LOCK_DONT_DETACH) == LockStatus.ACQUIRED;
    }

    /**
     * Locks the mutex, waiting at most {@code time}; an interrupt ends the wait.
     * {@code _PyMutex_LockTimed(m, timeout, _PY_LOCK_DETACH | _PY_LOCK_HANDLE_SIGNALS)}
     * ({@code Python/lock.c}), one call; the interrupt reaches the waiting
     * thread as a signal would in CPython (see {@link LockFlag#HANDLE_SIGNALS}),
     * within a few milliseconds.
     *
     * @return whether the calling thread now holds the mutex
     * @throws InterruptedException if the thread is interrupted before or while waiting
     */
    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        long timeoutNs = Math.max(0, Timeouts.toNanos(time, unit));
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (tryLock()) {
            return true;
        }
        return switch (lockSlow(timeoutNs, LOCK_DETACH | LOCK_HANDLE_SIGNALS)) {
            case ACQUIRED -> true;
            case INTERRUPTED -> throw interrupted();
            case FAILURE -> false;
        };
    }

    /**
     * Locks the mutex unless the thread is interrupted.
     * {@code _PyMutex_LockTimed(m, -1, _PY_LOCK_DETACH | _PY_LOCK_HANDLE_SIGNALS)}
     * ({@code Python/lock.c}) unless free; the
     * interrupt reaches the waiting thread as a signal would in CPython (see
     * {@link LockFlag#HANDLE_SIGNALS}), within a few milliseconds.
     *
     * @throws InterruptedException if the thread is interrupted before or while waiting
     */
    @Override
    public void lockInterruptibly() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (JavaPaths.ON && compareAndSetBits(0, LOCKED)) {
            return;
        }
        if (lockSlow(-1, LOCK_DETACH | LOCK_HANDLE_SIGNALS) == LockStatus.INTERRUPTED) {
            throw interrupted();
        }
    }

    /**
     * Locks the mutex with CPython's options: {@code _PyMutex_LockTimed}
     * ({@code Python/lock.c}), one call.
     *
     * @param timeout negative: wait until acquired; zero: do not park (the
     *                free-threaded flavour may still yield a few times); positive:
     *                give up after that long (saturated at about 292 years)
     * @param flags   {@link LockFlag#DETACH}, {@link LockFlag#HANDLE_SIGNALS}
     * @return {@link LockStatus#ACQUIRED}, {@link LockStatus#FAILURE} when the
     *         timeout expired (a zero timeout on a locked mutex fails, interrupted or
     *         not), {@link LockStatus#INTERRUPTED} when the thread was interrupted
     *         before or while waiting, with {@code HANDLE_SIGNALS} (its interrupt
     *         status stays set)
     */
    public LockStatus lockTimed(Duration timeout, LockFlag... flags) {
        long timeoutNs = Timeouts.toPyTimeout(timeout);
        int bits = CPythonConstants.lockFlags(flags);
        if ((bits & LOCK_HANDLE_SIGNALS) == 0) {
            return lockSlow(timeoutNs, bits);
        }
        if (Thread.currentThread().isInterrupted()) {
            // As in CPython, a free mutex is taken and a zero timeout fails before any wait; only a
            // wait is cut short.
            if (tryLock()) {
                return LockStatus.ACQUIRED;
            }
            return timeoutNs == 0 ? LockStatus.FAILURE : LockStatus.INTERRUPTED;
        }
        return lockSlow(timeoutNs, bits);
    }

    /**
     * Whether the mutex is locked: {@code PyMutex_IsLocked}
     * ({@code Include/internal/pycore_lock.h}), read from Java.
     *
     * @return whether {@code _Py_LOCKED} (bit 0) is set in the state byte
     */
    public boolean isLocked() {
        return (bits() & LOCKED) != 0;
    }

    /**
     * The state byte {@code PyMutex._bits} ({@code Include/cpython/lock.h}), 0 to 3, read atomically; no C call.
     *
     * @return the state byte, 0 to 3
     */
    public int bits() {
        return callerByte == null ? OwnedMemory.getByteVolatile(this, ownedAddress) : callerByte.getVolatile();
    }

    /**
     * Not supported: CPython's {@code PyMutex} has no condition variable.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public Condition newCondition() {
        throw new UnsupportedOperationException("PyMutex has no condition variables (CPython's PyMutex has none)");
    }

    /**
     * The state byte and, while threads wait on it inside cpylock, their names
     * and how long they have waited: {@code PyMutex[bits=3, waiting: worker-2 (12 ms)]}.
     */
    @Override
    public String toString() {
        return "PyMutex[bits=" + bits() + Waits.describeWaiters(address()) + "]";
    }

    /** One compare-and-set of the state byte, as C's {@code _Py_atomic_compare_exchange_uint8}: every fast path's. */
    boolean compareAndSetBits(int expected, int desired) {
        return callerByte == null ? ByteStateWord.compareAndSetOwned(this, ownedAddress, expected, desired)
                : callerByte.compareAndSet(expected, desired);
    }

    /** The state byte's address. */
    private long address() {
        return callerByte == null ? ownedAddress : callerByte.address();
    }

    /**
     * {@code _PyMutex_LockTimed}: in C, or {@link LockC#mutexLockTimed} on a
     * thread that waits in Java (a virtual thread) and, bound to an
     * interpreter, for an interruptible wait (see {@link Interrupts}).
     */
    private LockStatus lockSlow(long timeoutNs, int flags) {
        boolean detach = (flags & LOCK_DETACH) != 0;
        Waits.Token wait = Waits.begin(Wait.Primitive.PY_MUTEX, address(), this::bits, detach,
                Waits.flags(detach, (flags & LOCK_HANDLE_SIGNALS) != 0, timeoutNs >= 0));
        ThreadState thread = ThreadState.current();
        boolean inJava = ThreadState.waitsInJava()
                || ((flags & LOCK_HANDLE_SIGNALS) != 0 && NativeLibrary.isInterpreter());
        LockStatus status = CPythonConstants.lockStatus(inJava
                ? LockC.mutexLockTimed(thread, word(), timeoutNs, flags)
                : lockInC(thread, timeoutNs, flags));
        Waits.end(wait, switch (status) {
            case ACQUIRED -> Waits.Outcome.ACQUIRED;
            case INTERRUPTED -> Waits.Outcome.INTERRUPTED;
            case FAILURE -> Waits.Outcome.TIMED_OUT;
        });
        return status;
    }

    /**
     * {@code _PyMutex_LockTimed}, through {@link Interrupts} with {@code _PY_LOCK_HANDLE_SIGNALS} in {@code flags};
     * a try-lock (timeout 0), which does not park, on the calling thread.
     */
    private int lockInC(ThreadState thread, long timeoutNs, int flags) {
        if (timeoutNs == 0 && (flags & LOCK_HANDLE_SIGNALS) == 0) {
            return Native.mutexLockTimed(thread.segment(), segment(), 0, flags);
        }
        return (flags & LOCK_HANDLE_SIGNALS) == 0
                ? Proxies.await(() -> Native.mutexLockTimed(thread.segment(), segment(), timeoutNs, flags))
                : Interrupts.waitInterruptibly(thread, timeoutNs, PY_LOCK_INTR,
                        timeLeft -> Native.mutexLockTimed(thread.segment(), segment(), timeLeft, flags));
    }

    /** The state byte, as {@link LockC} reads and sets it. */
    StateWord word() {
        return new Word();
    }

    private final class Word implements StateWord {
        @Override
        public long getVolatile() {
            return bits();
        }

        @Override
        public boolean compareAndSet(long expected, long desired) {
            return compareAndSetBits((int) expected, (int) desired);
        }

        @Override
        public MemorySegment segment() {
            return PyMutex.this.segment();
        }

        @Override
        public int size() {
            return 1;
        }
    }

    private static InterruptedException interrupted() {
        Thread.interrupted(); // the exception reports the interrupt, as the Lock interface specifies
        return new InterruptedException("interrupted while waiting for a PyMutex");
    }
}
