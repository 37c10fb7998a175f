package org.cpylock.port;

import org.cpylock.api.Flavour;
import org.cpylock.api.LockFlag;
import org.cpylock.api.LockStatus;
import org.cpylock.api.ParkStatus;

import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * CPython's {@code PyMutex} ({@code Include/cpython/lock.h},
 * {@code Include/internal/pycore_lock.h}, {@code Python/lock.c}): a one-byte
 * mutex with the parking lot behind it.
 *
 * <h2>State word</h2>
 * One byte, {@code _bits}; only its two low bits are used:
 * <pre>
 *   0b00  unlocked
 *   0b01  locked                          (_Py_LOCKED)
 *   0b10  unlocked, threads parked on it  (_Py_HAS_PARKED)
 *   0b11  locked, threads parked on it
 * </pre>
 * A thread that finds the mutex locked yields up to
 * {@code MAX_SPIN_COUNT} times while nobody is parked (free-threaded
 * build: 40; default build: 0), then sets {@code _Py_HAS_PARKED} and parks on
 * the byte's address. An unlock of a byte with parked threads wakes one; if
 * that waiter has waited longer than 1 ms ({@code TIME_TO_BE_FAIR_NS}) the
 * mutex is handed to it (the byte goes from 0b11 to 0b01 or 0b11 without
 * passing through unlocked).
 *
 * <p>The mutex has no owner (any thread may unlock it) and is not reentrant.
 */
public final class PyMutex implements org.cpylock.api.PyMutex {
    /*
     * Implementation notes: lock() and unlock() are the static-inline
     * PyMutex_Lock/PyMutex_Unlock of Include/cpython/lock.h (one
     * compare-and-set 0 -> 1 or 1 -> 0), falling back to _PyMutex_LockTimed
     * and _PyMutex_TryUnlock, which are ported line for line, including two
     * details of 3.13.5: the spin loop yields without reloading the byte
     * (lock.c, line 88-93), and a timed-out waiter leaves _Py_HAS_PARKED set
     * (the next unlock clears it). C's compare-exchange writes the value it
     * found back into its expected argument; here compareAndExchange returns
     * that value, and the loops use it the same way.
     *
     * Interrupts take the part of signals: a park that an interrupt ends
     * returns Py_PARK_INTR. With HANDLE_SIGNALS, C then runs
     * Py_MakePendingCalls(), which fails for an interrupted thread here, so
     * the call returns INTERRUPTED with the interrupt status still set.
     * Without it, C parks again; the port clears the status for the rest of
     * the wait and sets it again on return (see Interrupts).
     *
     * The byte is updated through its aligned 4-byte container (AtomicWord).
     */

    /** {@code _Py_LOCKED} ({@code Include/cpython/lock.h}). */
    static final int LOCKED = 1;
    /** {@code _Py_HAS_PARKED} ({@code Include/internal/pycore_lock.h}). */
    static final int HAS_PARKED = 2;
    /** {@code TIME_TO_BE_FAIR_NS} ({@code Python/lock.c}, line 22): 1 ms. */
    static final long TIME_TO_BE_FAIR_NS = 1_000_000;

    private static final int DETACH = 1;
    private static final int HANDLE_SIGNALS = 2;

    /** The {@code _PyLockFlags} value of {@code flags}. */
    private static int flagBits(LockFlag... flags) {
        int bits = 0;
        for (LockFlag flag : flags) {
            bits |= switch (flag) {
                case DETACH -> DETACH;
                case HANDLE_SIGNALS -> HANDLE_SIGNALS;
            };
        }
        return bits;
    }

    private final Port port;
    private final AtomicWord bits;
    private final ParkingLot.UnparkCallback unparkCallback = this::mutexUnpark;

    PyMutex(Port port, AtomicWord bits) {
        this.port = port;
        this.bits = bits;
    }

    /**
     * Locks the mutex, parking (detached) while it is held; not interruptible.
     * {@code PyMutex_Lock} ({@code Include/cpython/lock.h} and {@code Python/lock.c}):
     * a compare-and-set 0 to 1, then {@code _PyMutex_LockTimed(m, -1, _PY_LOCK_DETACH)}.
     */
    public void lock() {
        if (!bits.compareAndSet(0, LOCKED)) {
            lockTimed(Timeouts.FOREVER, DETACH);
        }
    }

    /**
     * Unlocks the mutex, waking one parked thread if any (handing the mutex to
     * it if it has waited over 1 ms). {@code PyMutex_Unlock}
     * ({@code Include/cpython/lock.h}) and {@code _PyMutex_TryUnlock}
     * ({@code Python/lock.c}).
     *
     * @throws IllegalMonitorStateException if the mutex is not locked (where CPython aborts)
     */
    public void unlock() {
        if (!bits.compareAndSet(LOCKED, 0) && tryUnlock() < 0) {
            throw new IllegalMonitorStateException("PyMutex.unlock: the mutex is not locked");
        }
    }

    /**
     * Locks the mutex if that needs no waiting. {@code _PyMutex_LockTimed(m, 0, 0)}
     * ({@code Python/lock.c}).
     *
     * @return whether the calling thread acquired the mutex
     */
    public boolean tryLock() {
        return lockTimed(0, 0) == LockStatus.ACQUIRED;
    }

    /**
     * Locks the mutex with CPython's options. {@code _PyMutex_LockTimed}
     * ({@code Python/lock.c}).
     *
     * @param timeout negative: wait until acquired; zero: do not park; positive: give up after that long
     * @param flags   {@link LockFlag#DETACH}, {@link LockFlag#HANDLE_SIGNALS}, or none
     * @return {@link LockStatus#ACQUIRED}; {@link LockStatus#FAILURE} when the timeout expired;
     *         {@link LockStatus#INTERRUPTED} when, with {@code HANDLE_SIGNALS}, the thread was interrupted before
     *         or while parked (its interrupt status stays set)
     */
    public LockStatus lockTimed(Duration timeout, LockFlag... flags) {
        return lockTimed(Timeouts.toPyTimeout(timeout), flagBits(flags));
    }

    /**
     * Whether the mutex is locked. {@code PyMutex_IsLocked} ({@code Include/internal/pycore_lock.h}).
     *
     * @return whether bit 0 ({@code _Py_LOCKED}) of the state byte is set
     */
    public boolean isLocked() {
        return (bits() & LOCKED) != 0;
    }

    /**
     * The state byte {@code PyMutex._bits} ({@code Include/cpython/lock.h}), read atomically.
     *
     * @return the state byte, 0 to 3
     */
    public int bits() {
        return (int) bits.get();
    }

    /**
     * The {@code PyMutex} ({@code Include/cpython/lock.h}) as memory, laid out as the C type, for comparing
     * with C byte for byte (no CPython function).
     *
     * @return the one byte of the mutex
     */
    public MemorySegment segment() {
        return bits.slice();
    }

    @Override
    public String toString() {
        return "PyMutex[bits=" + bits() + "]";
    }

    /** The port that made the mutex. */
    Port port() {
        return port;
    }

    /** The state byte's address (critical sections order their mutexes by it). */
    long address() {
        return bits.address();
    }

    /** {@code PyMutex_LockFast} ({@code Include/internal/pycore_lock.h}): a compare-and-set 0 to 1. */
    boolean lockFast() {
        return bits.compareAndSet(0, LOCKED);
    }

    /** {@code _PyMutex_LockTimed} ({@code Python/lock.c}, line 52), with C's timeout and flag values. */
    LockStatus lockTimed(long timeout, int flags) {
        long v = bits.get();
        if ((v & LOCKED) == 0) {
            long witness = bits.compareAndExchange(v, v | LOCKED);
            if (witness == v) {
                return LockStatus.ACQUIRED;
            }
            v = witness;
        } else if (timeout == 0) {
            return LockStatus.FAILURE;
        }

        long now = Timeouts.monotonic();
        long endtime = timeout > 0 ? Timeouts.deadline(now, timeout) : 0;
        MutexEntry entry = new MutexEntry(now + TIME_TO_BE_FAIR_NS);
        int maxSpinCount = port.switches().maxSpinCount();
        boolean interrupted = false;
        try {
            int spinCount = 0;
            for (;;) {
                if ((v & LOCKED) == 0) {
                    // Unlocked: try to take it.
                    long witness = bits.compareAndExchange(v, v | LOCKED);
                    if (witness == v) {
                        return LockStatus.ACQUIRED;
                    }
                    v = witness;
                    continue;
                }
                if ((v & HAS_PARKED) == 0 && spinCount < maxSpinCount) {
                    // Spin (free-threaded build). As in 3.13.5, v is not reloaded here.
                    Thread.yield();
                    spinCount++;
                    continue;
                }
                if (timeout == 0) {
                    return LockStatus.FAILURE;
                }
                long newv = v;
                if ((v & HAS_PARKED) == 0) {
                    // The first waiter sets _Py_HAS_PARKED.
                    newv = v | HAS_PARKED;
                    long witness = bits.compareAndExchange(v, newv);
                    if (witness != v) {
                        v = witness;
                        continue;
                    }
                }

                ParkStatus ret = port.parkingLot().park(bits, newv, timeout, entry, (flags & DETACH) != 0);
                if (ret == ParkStatus.OK) {
                    if (entry.handedOff) {
                        // The unlocking thread handed the mutex over: it is ours.
                        return LockStatus.ACQUIRED;
                    }
                } else if (ret == ParkStatus.INTERRUPTED && (flags & HANDLE_SIGNALS) != 0) {
                    if (makePendingCalls() < 0) {
                        return LockStatus.INTERRUPTED;
                    }
                } else if (ret == ParkStatus.TIMEOUT) {
                    return LockStatus.FAILURE;
                }
                if (ret == ParkStatus.INTERRUPTED) {
                    // C parks again after a signal; a Java interrupt would end every park, so
                    // it is set aside for the rest of the wait.
                    interrupted |= Interrupts.absorb();
                }

                if (timeout > 0) {
                    timeout = Timeouts.remaining(endtime);
                    if (timeout <= 0) {
                        // Not negative: that would mean "forever".
                        timeout = 0;
                    }
                }
                v = bits.get();
            }
        } finally {
            Interrupts.restore(interrupted);
        }
    }

    /** {@code _PyMutex_TryUnlock} ({@code Python/lock.c}, line 160): 0, or -1 if the mutex is not locked. */
    int tryUnlock() {
        long v = bits.get();
        for (;;) {
            if ((v & LOCKED) == 0) {
                return -1;
            } else if ((v & HAS_PARKED) != 0) {
                // Wake one waiter; the callback stores the new byte.
                port.parkingLot().unpark(bits.address(), unparkCallback);
                return 0;
            } else {
                long witness = bits.compareAndExchange(v, 0);
                if (witness == v) {
                    return 0;
                }
                v = witness;
            }
        }
    }

    /**
     * {@code mutex_unpark} ({@code Python/lock.c}, line 139), run under the
     * bucket lock: hand off if the waiter has waited long enough, and keep
     * {@code _Py_HAS_PARKED} if others wait. A woken waiter whose park
     * argument is not a {@link MutexEntry} (someone parked on the byte
     * through the public parking lot) is one whose fairness time never
     * comes, as C reads cpylock's park records: it is handed nothing, and
     * the bit stays for the waiters behind it. With nobody woken,
     * {@code hasMoreWaiters} is false, and the byte becomes 0 as for C's
     * NULL entry.
     */
    private void mutexUnpark(Object parkArg, boolean hasMoreWaiters) {
        long v = 0;
        if (parkArg instanceof MutexEntry entry) {
            long now = Timeouts.monotonic();
            boolean shouldBeFair = now - entry.timeToBeFair > 0;
            entry.handedOff = shouldBeFair;
            if (shouldBeFair) {
                v |= LOCKED;
            }
        }
        if (hasMoreWaiters) {
            v |= HAS_PARKED;
        }
        bits.set(v);
    }

    /**
     * {@code Py_MakePendingCalls} ({@code Python/ceval_gil.c}) as the port
     * models it: the pending calls of an interrupted thread fail.
     */
    private static int makePendingCalls() {
        return Thread.currentThread().isInterrupted() ? -1 : 0;
    }
}
