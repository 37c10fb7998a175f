package org.cpylock;

import org.cpylock.internal.ByteStateWord;
import org.cpylock.internal.JavaPaths;
import org.cpylock.internal.Layouts;
import org.cpylock.internal.LockC;
import org.cpylock.internal.Native;
import org.cpylock.internal.NativeLibrary;
import org.cpylock.internal.NativeSlots;
import org.cpylock.internal.OwnedMemory;
import org.cpylock.internal.ThreadState;
import org.cpylock.internal.waits.Waits;

import java.lang.foreign.MemorySegment;

/**
 * CPython's {@code _PyRecursiveMutex} ({@code Include/internal/pycore_lock.h},
 * {@code Python/lock.c}): a {@code PyMutex} that its owner may lock again.
 *
 * <h2>State</h2>
 * <pre>
 *   PyMutex mutex;              locked while owned (see {@link PyMutex})
 *   unsigned long long thread;  the owner's identity, 0 when unowned
 *   size_t level;               re-entries beyond the first lock
 * </pre>
 * The first {@code lock()} locks {@code mutex} and records the owner; each
 * further {@code lock()} by the owner adds one to {@code level}; each
 * {@code unlock()} takes one away, and the one at level 0 clears the owner and
 * unlocks {@code mutex}.
 *
 * <p>The owner is the Java thread: its identity is {@link Thread#threadId()},
 * whatever OS thread runs it, so a virtual thread that moves to another carrier
 * between {@code lock()} and {@code unlock()} still owns the mutex. Bound to an
 * interpreter ({@code cpylock.library}), the interpreter's own functions
 * identify the owner by OS thread ({@code PyThread_get_thread_ident_ex}), as
 * for its Python threads: only platform threads may use the mutex there. The
 * memory is zero-initialized and released once the mutex is unreachable.
 */
public final class RecursiveMutex extends OwnedState implements org.cpylock.api.RecursiveMutex {
    /*
     * Implementation notes. With the bundled library, the steps of
     * _PyRecursiveMutex_Lock and _PyRecursiveMutex_Unlock that only read and
     * write the three fields run in Java, as C runs them: the owner check
     * (thread == PyThread_get_thread_ident_ex(), which is the Java thread's id
     * here), a re-entry's level++, the first lock's compare-and-set of mutex
     * and relaxed store of thread, and an unlock's level-- or relaxed store of
     * 0 and PyMutex_Unlock (JavaPaths lists these steps). The compare-and-sets
     * are made on the mutex's byte directly, as PyMutex's fast paths make them
     * (one load of this object's fields less than going through mutex); an
     * unlock that finds threads parked goes on through mutex. thread and level
     * are read relaxed, as C reads them, and each path loads the structure's
     * address once (after a compare-and-set the JIT would load it again). Only
     * a lock that has to wait for another owner calls C. Bound to an
     * interpreter, every call is the interpreter's own function.
     */

    private final PyMutex mutex;
    /** Whether the fast paths run in Java: with the bundled library (not bound to an interpreter). */
    private final boolean inJava;

    /** A new, unowned mutex: zeroed memory, as CPython's {@code (_PyRecursiveMutex){0}}; no C call. */
    public RecursiveMutex() {
        super(NativeSlots.RECURSIVE_MUTEXES);
        this.mutex = PyMutex.inOwnedSlot(memory, address + Layouts.RECURSIVE_MUTEX_MUTEX);
        this.inJava = JavaPaths.ON && !NativeLibrary.isInterpreter();
    }

    /**
     * Locks the mutex, or adds a level if the calling thread owns it already.
     * Not interruptible. {@code _PyRecursiveMutex_Lock} ({@code Python/lock.c}).
     *
     * @throws IllegalStateException on a virtual thread when bound to an interpreter
     */
    public void lock() {
        if (inJava) {
            long at = address;
            long me = Thread.currentThread().threadId();
            if (relaxed(at + Layouts.RECURSIVE_MUTEX_THREAD) == me) {
                setRelaxed(at + Layouts.RECURSIVE_MUTEX_LEVEL, relaxed(at + Layouts.RECURSIVE_MUTEX_LEVEL) + 1);
                return;
            }
            if (compareAndSetMutexBits(at, 0, 1)) {
                setRelaxed(at + Layouts.RECURSIVE_MUTEX_THREAD, me);
                return;
            }
        } else {
            ThreadState.requireOsThreadIdentity("RecursiveMutex.lock");
        }
        ThreadState thread = ThreadState.current();
        thread.requireDetachable("RecursiveMutex.lock");
        if (inJava && ThreadState.waitsInJava()) {
            // _PyRecursiveMutex_Lock past the owner check: PyMutex_Lock, then the owner.
            Waits.Token wait = Waits.begin(Wait.Primitive.RECURSIVE_MUTEX, address, mutex::bits, true, Waits.flags(true, false, false));
            LockC.mutexLock(thread, mutex.word());
            setRelaxed(address + Layouts.RECURSIVE_MUTEX_THREAD, Thread.currentThread().threadId());
            Waits.end(wait, Waits.Outcome.ACQUIRED);
            return;
        }
        if (!mutex.isLocked()) {
            Native.recursiveMutexLock(thread.segment(), segment());
            return;
        }
        // Locked: by another thread (a wait), or this one (a re-entry, over at once).
        Waits.Token wait = Waits.begin(Wait.Primitive.RECURSIVE_MUTEX, address, mutex::bits, true, Waits.flags(true, false, false));
        Native.recursiveMutexLock(thread.segment(), segment());
        Waits.end(wait, Waits.Outcome.ACQUIRED);
    }

    /**
     * Takes a level away, or unlocks the mutex at level 0.
     * {@code _PyRecursiveMutex_Unlock} ({@code Python/lock.c}).
     *
     * @throws IllegalMonitorStateException if the calling thread does not own the
     *         mutex, or its inner mutex was unlocked through {@link #mutex()}
     *         (where CPython would abort the process)
     */
    public void unlock() {
        if (!inJava) {
            ThreadState.requireOsThreadIdentity("RecursiveMutex.unlock");
        }
        long at = address;
        if (!isLockedByCurrentThread()) {
            throw new IllegalMonitorStateException("RecursiveMutex.unlock: the calling thread does not own the mutex"
                    + (owner() == 0 ? " (it is not locked)" : " (thread " + owner() + " does)"));
        }
        long level = relaxed(at + Layouts.RECURSIVE_MUTEX_LEVEL);
        if (level == 0 && (OwnedMemory.getByteOpaque(this, at + Layouts.RECURSIVE_MUTEX_MUTEX) & 1) == 0) {
            throw new IllegalMonitorStateException("RecursiveMutex.unlock: the inner mutex was unlocked through"
                    + " mutex(); lock it again before this unlock");
        }
        if (!inJava) {
            Native.recursiveMutexUnlock(ThreadState.current().segment(), segment());
        } else if (level != 0) { // unsigned: any level but 0 is above it
            setRelaxed(at + Layouts.RECURSIVE_MUTEX_LEVEL, level - 1);
        } else {
            setRelaxed(at + Layouts.RECURSIVE_MUTEX_THREAD, 0);
            if (!compareAndSetMutexBits(at, 1, 0)) {
                mutex.unlock();
            }
        }
    }

    /**
     * {@code _PyRecursiveMutex_IsLockedByCurrentThread} ({@code Python/lock.c}).
     *
     * @return whether the calling thread owns the mutex, at any level
     */
    public boolean isLockedByCurrentThread() {
        if (inJava) {
            return relaxed(address + Layouts.RECURSIVE_MUTEX_THREAD) == Thread.currentThread().threadId();
        }
        ThreadState.requireOsThreadIdentity("RecursiveMutex.isLockedByCurrentThread");
        return Native.recursiveMutexIsLockedByCurrentThread(ThreadState.current().segment(), segment());
    }

    /**
     * {@code _PyRecursiveMutex.level} ({@code Include/internal/pycore_lock.h}): how many times the owner has
     * locked the mutex beyond the first; no C call.
     *
     * @return the level, a {@code size_t} read as an unsigned 64-bit value: 0 when the mutex is unowned or
     *         locked once
     */
    public long level() {
        return OwnedMemory.getLongVolatile(this, address + Layouts.RECURSIVE_MUTEX_LEVEL);
    }

    /**
     * {@code _PyRecursiveMutex.thread} ({@code Include/internal/pycore_lock.h}): the owner's identity
     * ({@link Thread#threadId()} for Java threads), 0 when unowned; no C call.
     *
     * @return the owner's identity, or 0
     */
    public long owner() {
        return OwnedMemory.getLongVolatile(this, address + Layouts.RECURSIVE_MUTEX_THREAD);
    }

    /**
     * The inner {@code PyMutex}, {@code mutex} (lock and unlock it only through this object).
     *
     * @return the inner mutex, the same object on every call
     */
    public PyMutex mutex() {
        return mutex;
    }

    /**
     * The {@code _PyRecursiveMutex} ({@code Include/internal/pycore_lock.h}) as a segment (it keeps the mutex's
     * memory alive).
     *
     * @return a slice of the mutex's memory covering the whole structure, inner mutex included
     */
    public MemorySegment segment() {
        return slot(Layouts.RECURSIVE_MUTEX_SIZE);
    }

    /**
     * The inner mutex's fast-path compare-and-set ({@link PyMutex#compareAndSetBits}), on its byte directly,
     * in the structure at {@code at}.
     */
    private boolean compareAndSetMutexBits(long at, int expected, int desired) {
        return ByteStateWord.compareAndSetOwned(this, at + Layouts.RECURSIVE_MUTEX_MUTEX, expected, desired);
    }

    /**
     * A relaxed read of {@code thread} or {@code level} at {@code field}, as
     * {@code Python/lock.c} reads them: only the owner writes them, and a
     * reader compares {@code thread} only with its own identity.
     */
    private long relaxed(long field) {
        return OwnedMemory.getLongOpaque(this, field);
    }

    /** A relaxed store of {@code thread} or {@code level}, by the owner (plain or relaxed in C). */
    private void setRelaxed(long field, long value) {
        OwnedMemory.setLongOpaque(this, field, value);
    }

    @Override
    public String toString() {
        return "RecursiveMutex[bits=" + mutex.bits() + ", owner=" + owner() + ", level=" + level()
                + Waits.describeWaiters(address) + "]";
    }
}
