package org.cpylock;

import org.cpylock.internal.JavaPaths;
import org.cpylock.internal.LockC;
import org.cpylock.internal.Native;
import org.cpylock.internal.NativeSlots;
import org.cpylock.internal.OwnedMemory;
import org.cpylock.internal.OwnedStateWord;
import org.cpylock.internal.Proxies;
import org.cpylock.internal.ThreadState;
import org.cpylock.internal.waits.Waits;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import static org.cpylock.internal.CPythonConstants.LOCKED;

/**
 * CPython's {@code _PyRawMutex} ({@code Include/internal/pycore_lock.h},
 * {@code Python/lock.c}): a word-sized mutex that does not use the parking
 * lot (the parking lot's own buckets are locked with it).
 *
 * <h2>State word</h2>
 * One {@code uintptr_t}, {@code v}: bit 0 is {@code _Py_LOCKED}; the other
 * bits are zero or the address of the first waiter, a {@code struct
 * raw_mutex_entry} on the waiting thread's stack, which links to the next.
 * <pre>
 *   0                 unlocked, no waiters
 *   1                 locked, no waiters
 *   waiter | 1        locked, waiters queued (newest first)
 *   waiter | 0        unlocked, waiters still queued (one was just woken)
 * </pre>
 * A woken waiter is not handed the mutex: it competes for it again. Waiting
 * threads block on a semaphore of their own, without detaching.
 *
 * <p>The mutex has no owner: any thread may unlock it, as in CPython. Its
 * memory is zero-initialized and released once the mutex is unreachable.
 */
public final class RawMutex extends OwnedState implements org.cpylock.api.RawMutex {
    /*
     * Implementation notes. The static-inline _PyRawMutex_Lock and
     * _PyRawMutex_Unlock try their compare-and-set from Java first, then call
     * C, which tries it again before its slow path (JavaPaths). Slow unlocks
     * take turns (unlocking), so that the locked bit an unlock checks is still
     * set when C looks at it. A virtual thread waits with LockC.
     */

    private static final VarHandle UNLOCKING;

    static {
        try {
            UNLOCKING = MethodHandles.lookup().findVarHandle(RawMutex.class, "unlocking", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** 1 while a thread is in the slow path of {@link #unlock()}: slow unlocks run one at a time. */
    @SuppressWarnings("unused") // accessed through UNLOCKING
    private volatile int unlocking;

    /** A new, unlocked mutex: one zeroed word, as CPython's {@code _PyRawMutex m = {0}}; no C call. */
    public RawMutex() {
        super(NativeSlots.POINTERS);
    }

    /**
     * Locks the mutex, blocking while it is held. Not interruptible. The
     * static-inline {@code _PyRawMutex_Lock} ({@code Include/internal/pycore_lock.h}):
     * a compare-and-set 0 to 1, then
     * {@code _PyRawMutex_LockSlow} ({@code Python/lock.c}).
     */
    public void lock() {
        if (!(JavaPaths.ON && OwnedMemory.compareAndSetLong(this, address, 0L, LOCKED))) {
            Waits.Token wait = Waits.begin(Wait.Primitive.RAW_MUTEX, address, this::bits, false, Waits.flags(false, false, false));
            if (ThreadState.waitsInJava()) {
                LockC.rawMutexLockSlow(ThreadState.current(), new OwnedStateWord(this, address, segment(), 8));
            } else {
                Proxies.await(() -> Native.rawMutexLock(segment()));
            }
            Waits.end(wait, Waits.Outcome.ACQUIRED);
        }
    }

    /**
     * Unlocks the mutex, waking the newest waiter if any. The static-inline
     * {@code _PyRawMutex_Unlock} ({@code Include/internal/pycore_lock.h}): a
     * compare-and-set 1 to 0, then
     * {@code _PyRawMutex_UnlockSlow} ({@code Python/lock.c}).
     *
     * @throws IllegalMonitorStateException if the mutex is not locked (where
     *         CPython's {@code _PyRawMutex_UnlockSlow} would abort the process)
     */
    public void unlock() {
        if (JavaPaths.ON && OwnedMemory.compareAndSetLong(this, address, LOCKED, 0L)) {
            return;
        }
        // Only an unlock can clear the locked bit, and slow unlocks take turns
        // here (a turn lasts one short C call), so the bit checked below is
        // still set when C looks at it.
        while (!UNLOCKING.compareAndSet(this, 0, 1)) {
            Thread.onSpinWait();
        }
        try {
            if ((bits() & LOCKED) == 0) {
                throw new IllegalMonitorStateException("RawMutex.unlock: the mutex is not locked");
            }
            Native.rawMutexUnlock(segment());
        } finally {
            unlocking = 0;
        }
    }

    /**
     * The state word {@code _PyRawMutex.v} ({@code Include/internal/pycore_lock.h}), read atomically; no C call.
     *
     * @return the state word: {@code _Py_LOCKED} in bit 0, the first waiter's address (or 0) in the others
     */
    public long bits() {
        return OwnedMemory.getLongVolatile(this, address);
    }

    /**
     * Whether {@code _Py_LOCKED} is set in {@code _PyRawMutex.v} ({@code Include/internal/pycore_lock.h}); no C
     * call.
     *
     * @return whether bit 0 of the state word is set
     */
    public boolean isLocked() {
        return (bits() & LOCKED) != 0;
    }

    /**
     * The {@code _PyRawMutex} ({@code Include/internal/pycore_lock.h}) as a segment (it keeps the mutex's memory
     * alive).
     *
     * @return an 8-byte slice of the mutex's memory, at its state word
     */
    public MemorySegment segment() {
        return slot(8);
    }

    /** The state word, in hexadecimal, and the threads waiting on it inside cpylock, with how long they have waited. */
    @Override
    public String toString() {
        return "RawMutex[bits=0x" + Long.toHexString(bits()) + Waits.describeWaiters(address) + "]";
    }
}
