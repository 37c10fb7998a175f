package org.cpylock.port;

import java.lang.foreign.MemorySegment;

/**
 * CPython's {@code _PyRawMutex} ({@code Include/internal/pycore_lock.h},
 * {@code Python/lock.c}): a word-sized mutex that queues its waiters in the
 * word itself and does not use the parking lot (the parking lot's buckets are
 * locked with it).
 *
 * <h2>State word</h2>
 * One {@code uintptr_t} (8 bytes), {@code v}: bit 0 is {@code _Py_LOCKED};
 * the other bits are 0 or the address of the newest waiter's entry, which
 * links to the next older one:
 * <pre>
 *   0              unlocked, nobody waits
 *   1              locked, nobody waits
 *   entry | 1      locked, waiters queued (newest first)
 *   entry | 0      unlocked, waiters still queued (the newest was just woken)
 * </pre>
 * A woken waiter is not handed the mutex; it competes for it again. Waiters
 * block without detaching. The mutex has no owner: any thread may unlock it.
 */
public final class RawMutex implements org.cpylock.api.RawMutex {
    /*
     * Implementation notes: lock()/unlock() are the static-inline fast paths
     * (one compare-and-set 0 -> 1 or 1 -> 0), then _PyRawMutex_LockSlow /
     * _PyRawMutex_UnlockSlow, ported line for line. The waiter entries are
     * RawWaiter objects: native blocks whose addresses go into the word, with
     * the semaphore found through RawWaiter's address map. Two deliberate
     * differences: unlocking an unlocked mutex throws
     * IllegalMonitorStateException where C calls Py_FatalError, and the wait
     * is not ended by interrupts (C's _PySemaphore_Wait would return
     * Py_PARK_INTR on EINTR and the loop would link the same entry a second
     * time; see RawWaiter and the report).
     */

    private static final long LOCKED = 1;

    private final AtomicWord v;

    RawMutex(AtomicWord v) {
        this.v = v;
    }

    /**
     * Locks the mutex, blocking while it is held; not interruptible.
     * {@code _PyRawMutex_Lock} ({@code Include/internal/pycore_lock.h}) and
     * {@code _PyRawMutex_LockSlow} ({@code Python/lock.c}).
     */
    public void lock() {
        if (!v.compareAndSet(0, LOCKED)) {
            lockSlow();
        }
    }

    /**
     * Unlocks the mutex, waking the newest waiter if any.
     * {@code _PyRawMutex_Unlock} ({@code Include/internal/pycore_lock.h}) and
     * {@code _PyRawMutex_UnlockSlow} ({@code Python/lock.c}).
     *
     * @throws IllegalMonitorStateException if the mutex is not locked (where CPython aborts)
     */
    public void unlock() {
        if (!v.compareAndSet(LOCKED, 0)) {
            unlockSlow();
        }
    }

    /**
     * Whether bit 0 ({@code _Py_LOCKED}, {@code Include/cpython/lock.h}) of {@code _PyRawMutex.v}
     * ({@code Include/internal/pycore_lock.h}) is set; CPython has no function for it.
     *
     * @return whether the mutex is locked
     */
    public boolean isLocked() {
        return (bits() & LOCKED) != 0;
    }

    /**
     * The state word {@code _PyRawMutex.v} ({@code Include/internal/pycore_lock.h}), read atomically.
     *
     * @return the word: {@code _Py_LOCKED} in bit 0, the newest waiter's entry address (or 0) above
     */
    public long bits() {
        return v.get();
    }

    /**
     * The {@code _PyRawMutex} ({@code Include/internal/pycore_lock.h}) as memory, laid out as the C type, for comparing
     * with C byte for byte (no CPython function).
     *
     * @return the 8 bytes of the state word
     */
    public MemorySegment segment() {
        return v.slice();
    }

    @Override
    public String toString() {
        return "RawMutex[v=0x" + Long.toHexString(bits()) + "]";
    }

    /** {@code _PyRawMutex_LockSlow} ({@code Python/lock.c}, line 188). */
    private void lockSlow() {
        RawWaiter waiter = RawWaiter.enter();
        try {
            long bits = v.get();
            for (;;) {
                if ((bits & LOCKED) == 0) {
                    // Unlocked, perhaps with waiters queued: take it.
                    long witness = v.compareAndExchange(bits, bits | LOCKED);
                    if (witness == bits) {
                        break;
                    }
                    bits = witness;
                    continue;
                }
                // Locked: link this thread in as the newest waiter.
                waiter.next(bits & ~LOCKED);
                long desired = waiter.address() | LOCKED;
                long witness = v.compareAndExchange(bits, desired);
                if (witness != bits) {
                    bits = witness;
                    continue;
                }
                // Woken means "try again", not "you own it". As in C, bits keeps
                // the value seen before linking in; the next compare-and-set
                // corrects it.
                waiter.signal.awaitWoken(null, false);
            }
        } finally {
            waiter.leave();
        }
    }

    /** {@code _PyRawMutex_UnlockSlow} ({@code Python/lock.c}, line 219). */
    private void unlockSlow() {
        long bits = v.get();
        for (;;) {
            if ((bits & LOCKED) == 0) {
                throw new IllegalMonitorStateException("RawMutex.unlock: the mutex is not locked");
            }
            long entry = bits & ~LOCKED;
            if (entry != 0) {
                RawWaiter waiter = RawWaiter.at(entry);
                if (waiter == null) {
                    throw new IllegalMonitorStateException("RawMutex.unlock: the word names no waiting thread"
                            + " (0x" + Long.toHexString(bits) + "); the mutex was unlocked concurrently");
                }
                long witness = v.compareAndExchange(bits, waiter.next());
                if (witness == bits) {
                    waiter.signal.wakeup();
                    return;
                }
                bits = witness;
            } else {
                long witness = v.compareAndExchange(bits, 0);
                if (witness == bits) {
                    return;
                }
                bits = witness;
            }
        }
    }
}
