package org.cpylock.port;

import java.lang.foreign.MemorySegment;

/**
 * CPython's {@code _PyRecursiveMutex} ({@code Include/internal/pycore_lock.h},
 * {@code Python/lock.c}): a {@code PyMutex} its owner may lock again.
 *
 * <h2>State</h2>
 * The C structure, 24 bytes, 8-aligned:
 * <pre>
 *   offset  0  PyMutex mutex               locked while owned (see {@link PyMutex})
 *   offset  8  unsigned long long thread   the owner's identity, 0 when unowned
 *   offset 16  size_t level                re-entries beyond the first lock
 * </pre>
 * The first {@code lock()} locks {@code mutex} and records the owner; each
 * further {@code lock()} by the owner adds one to {@code level}; each
 * {@code unlock()} takes one away, and the one at level 0 clears the owner and
 * unlocks {@code mutex}.
 */
public final class RecursiveMutex implements org.cpylock.api.RecursiveMutex {
    /*
     * Implementation notes: _PyRecursiveMutex_Lock, _Unlock and
     * _IsLockedByCurrentThread ported directly. CPython identifies the owner
     * by PyThread_get_thread_ident_ex(), the OS thread; the port uses the Java
     * thread's Thread.threadId() (never 0), so a virtual thread keeps owning
     * the mutex when it moves to another carrier. thread is accessed
     * atomically (C: relaxed); level is only written by the owner, as in C,
     * and read atomically for inspection. An unlock by a thread that does not
     * own the mutex throws IllegalMonitorStateException where C aborts, and
     * so does an unlock after the inner mutex was unlocked through mutex().
     */

    /** The size of the C structure. */
    static final long SIZE = 24;
    private static final long THREAD_OFFSET = 8;
    private static final long LEVEL_OFFSET = 16;

    private final MemorySegment structure;
    private final PyMutex mutex;
    private final AtomicWord thread;
    private final AtomicWord level;

    RecursiveMutex(Port port, MemorySegment segment, long offset) {
        Segments.require(segment, offset, SIZE, 8, true, "RecursiveMutex");
        this.structure = segment.asSlice(offset, SIZE);
        this.mutex = new PyMutex(port, AtomicWord.updatable(segment, offset, 1, "RecursiveMutex.mutex"));
        this.thread = AtomicWord.updatable(segment, offset + THREAD_OFFSET, 8, "RecursiveMutex.thread");
        this.level = AtomicWord.updatable(segment, offset + LEVEL_OFFSET, 8, "RecursiveMutex.level");
    }

    /**
     * Locks the mutex, or adds a level if the calling thread owns it; not
     * interruptible. {@code _PyRecursiveMutex_Lock} ({@code Python/lock.c}).
     */
    public void lock() {
        long me = currentThreadIdent();
        if (isOwnedBy(me)) {
            level.set(level.get() + 1);
            return;
        }
        mutex.lock();
        thread.set(me);
    }

    /**
     * Takes a level away, or unlocks the mutex at level 0.
     * {@code _PyRecursiveMutex_Unlock} ({@code Python/lock.c}).
     *
     * @throws IllegalMonitorStateException if the calling thread does not own the mutex, or its inner mutex
     *                                      was unlocked through {@link #mutex()} (where CPython aborts)
     */
    public void unlock() {
        long me = currentThreadIdent();
        if (!isOwnedBy(me)) {
            throw new IllegalMonitorStateException("RecursiveMutex.unlock: the calling thread does not own the"
                    + " mutex" + (owner() == 0 ? " (it is not locked)" : " (thread " + owner() + " does)"));
        }
        long levels = level.get();
        if (levels != 0) { // size_t: unsigned, so any level but 0 is above it
            level.set(levels - 1);
            return;
        }
        if (!mutex.isLocked()) {
            throw new IllegalMonitorStateException("RecursiveMutex.unlock: the inner mutex was unlocked through"
                    + " mutex()");
        }
        thread.set(0);
        mutex.unlock();
    }

    /**
     * {@code _PyRecursiveMutex_IsLockedByCurrentThread} ({@code Python/lock.c}).
     *
     * @return whether the calling thread owns the mutex, at any level
     */
    public boolean isLockedByCurrentThread() {
        return isOwnedBy(currentThreadIdent());
    }

    /**
     * The field {@code level} ({@code Include/internal/pycore_lock.h}).
     *
     * @return re-entries beyond the first lock; 0 when unowned or locked once
     */
    public long level() {
        return level.get();
    }

    /**
     * The field {@code thread} ({@code Include/internal/pycore_lock.h}): the owner's {@link Thread#threadId()}.
     *
     * @return the owner's identity, or 0 when unowned
     */
    public long owner() {
        return thread.get();
    }

    /**
     * The inner {@code PyMutex}, the field {@code _PyRecursiveMutex.mutex}
     * ({@code Include/internal/pycore_lock.h}); lock and unlock it only through this object.
     *
     * @return the inner mutex
     */
    public PyMutex mutex() {
        return mutex;
    }

    /**
     * The {@code _PyRecursiveMutex} ({@code Include/internal/pycore_lock.h}) as memory, laid out as the C type, for comparing
     * with C byte for byte (no CPython function).
     *
     * @return the 24 bytes of the structure
     */
    public MemorySegment segment() {
        return structure;
    }

    @Override
    public String toString() {
        return "RecursiveMutex[mutex=" + mutex.bits() + ", thread=" + owner() + ", level=" + level() + "]";
    }

    /** {@code recursive_mutex_is_owned_by} ({@code Python/lock.c}, line 357). */
    private boolean isOwnedBy(long ident) {
        return thread.get() == ident;
    }

    /** The port's {@code PyThread_get_thread_ident_ex}: the Java thread's identity. */
    private static long currentThreadIdent() {
        return Thread.currentThread().threadId();
    }
}
