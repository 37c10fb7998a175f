package org.cpylock.internal;

import org.cpylock.api.Flavour;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.function.IntSupplier;

import static org.cpylock.internal.CPythonConstants.*;

/**
 * The waiting functions of CPython 3.13.5's {@code Python/lock.c}, in Java,
 * for a thread that must not block in C: a virtual thread, which would hold
 * its carrier while a native frame is on its stack, and, bound to an
 * interpreter, any thread in an interruptible {@code PyMutex} wait, which
 * an interrupt must be able to end (see {@link Interrupts}). Each method
 * names the C function and the lines of {@code lock.c} it follows, step for
 * step, on the same state words; only the waits differ. A park is the
 * bundled library's split park ({@link VirtualWaiter}), in which the thread
 * is a waiter of CPython's parking lot like any other, or, bound, the
 * interpreter's own park; {@code _Py_yield()} is
 * {@link Thread#yield()}, which yields the virtual thread, where the loop
 * spins a bounded number of times, and a wait for the word to change where
 * it would spin for as long as another thread holds it; the monotonic
 * clock is {@link System#nanoTime()}, which is {@code CLOCK_MONOTONIC} on
 * Linux, as CPython's {@code PyTime_MonotonicRaw}. The suite and the oracle
 * run against these as against C (the oracle's {@code VirtualThreadScheduleTest}).
 */
public final class LockC {
    /** {@code struct mutex_entry} ({@code lock.c}:33-39): {@code time_to_be_fair}, then {@code handed_off}. */
    private static final long TIME_TO_BE_FAIR = 0;
    private static final long HANDED_OFF = 8;

    private LockC() {
    }

    /** {@code MAX_SPIN_COUNT} of the loaded flavour. */
    static int maxSpinCount() {
        return NativeLibrary.ensureLoaded() == Flavour.FREE_THREADED ? FREE_THREADED_MAX_SPIN_COUNT : 0;
    }

    /**
     * {@code _PyMutex_LockTimed} ({@code lock.c}:53-137). The thread's park
     * record is its {@code struct mutex_entry}, which {@code mutex_unpark}
     * ({@code lock.c}:140-157) writes when it hands the mutex over.
     *
     * @param timeoutNs negative: no limit; 0: do not park
     * @param flags     {@code _PyLockFlags}
     * @return a {@code PyLockStatus}
     */
    public static int mutexLockTimed(ThreadState thread, StateWord m, long timeoutNs, int flags) {
        long v = m.getVolatile();
        if ((v & LOCKED) == 0) {
            if (m.compareAndSet(v, v | LOCKED)) {
                return PY_LOCK_ACQUIRED;
            }
            v = m.getVolatile();
        } else if (timeoutNs == 0) {
            return PY_LOCK_FAILURE;
        }

        long now = System.nanoTime();
        long endtime = timeoutNs > 0 ? Timeouts.deadline(now, timeoutNs) : 0;
        MemorySegment entry = thread.takeRecord();
        entry.set(ValueLayout.JAVA_LONG, TIME_TO_BE_FAIR, now + TIME_TO_BE_FAIR_NS);
        entry.set(ValueLayout.JAVA_INT, HANDED_OFF, 0);
        try {
            int maxSpinCount = maxSpinCount();
            int spinCount = 0;
            for (;;) {
                if ((v & LOCKED) == 0) {
                    // The lock is unlocked. Try to grab it.
                    if (m.compareAndSet(v, v | LOCKED)) {
                        return PY_LOCK_ACQUIRED;
                    }
                    v = m.getVolatile();
                    continue;
                }
                if ((v & HAS_PARKED) == 0 && spinCount < maxSpinCount) {
                    // Spin for a bit.
                    Thread.yield();
                    spinCount++;
                    v = m.getVolatile();
                    continue;
                }
                if (timeoutNs == 0) {
                    return PY_LOCK_FAILURE;
                }
                long newv = v;
                if ((v & HAS_PARKED) == 0) {
                    // We are the first waiter. Set the _Py_HAS_PARKED flag.
                    newv = v | HAS_PARKED;
                    if (!m.compareAndSet(v, newv)) {
                        v = m.getVolatile();
                        continue;
                    }
                }
                int ret = park(thread, m, newv, timeoutNs, entry, (flags & LOCK_DETACH) != 0,
                        (flags & LOCK_HANDLE_SIGNALS) != 0);
                if (ret == PARK_OK) {
                    if (entry.get(ValueLayout.JAVA_INT, HANDED_OFF) != 0) {
                        // We own the lock now.
                        return PY_LOCK_ACQUIRED;
                    }
                } else if (ret == PARK_INTR && (flags & LOCK_HANDLE_SIGNALS) != 0) {
                    // Py_MakePendingCalls fails for an interrupted thread.
                    if (Thread.currentThread().isInterrupted()) {
                        return PY_LOCK_INTR;
                    }
                } else if (ret == PARK_TIMEOUT) {
                    return PY_LOCK_FAILURE;
                }
                if (timeoutNs > 0) {
                    // _PyDeadline_Get; never negative, which means no limit.
                    timeoutNs = Math.max(0, endtime - System.nanoTime());
                }
                v = m.getVolatile();
            }
        } finally {
            thread.returnRecord();
        }
    }

    /** {@code PyMutex_Lock} ({@code Include/cpython/lock.h}): {@code _PyMutex_LockTimed(m, -1, _PY_LOCK_DETACH)}. */
    public static void mutexLock(ThreadState thread, StateWord m) {
        mutexLockTimed(thread, m, -1, LOCK_DETACH);
    }

    /**
     * {@code PyEvent_WaitTimed} ({@code lock.c}:277-298).
     *
     * @return whether the event is set
     */
    public static boolean eventWaitTimed(ThreadState thread, StateWord evt, long timeoutNs, boolean detach) {
        for (;;) {
            long v = evt.getVolatile();
            if (v == LOCKED) {
                // event already set
                return true;
            }
            if (v == 0 && !evt.compareAndSet(v, HAS_PARKED)) {
                continue;
            }
            park(thread, evt, HAS_PARKED, timeoutNs, MemorySegment.NULL, detach, false);
            return evt.getVolatile() == LOCKED;
        }
    }

    /** What {@code _PyOnceFlag_CallOnceSlow}'s {@code fn} is: 0 for success, -1 for failure. */
    public interface OnceAction {
        int run();
    }

    /**
     * {@code _PyOnceFlag_CallOnceSlow} ({@code lock.c}:324-368), with its
     * {@code unlock_once} ({@code lock.c}:300-322); {@code action} runs on
     * the calling thread, in Java.
     *
     * @return 0, or -1 if the action failed
     */
    public static int onceFlagCallOnceSlow(ThreadState thread, StateWord flag, OnceAction action) {
        long v = flag.getVolatile();
        for (;;) {
            if (v == 0) {
                if (!flag.compareAndSet(v, LOCKED)) {
                    v = flag.getVolatile();
                    continue;
                }
                int res = action.run();
                long old;
                do {
                    old = flag.getVolatile();
                } while (!flag.compareAndSet(old, res == 0 ? ONCE_INITIALIZED : 0));
                if ((old & HAS_PARKED) != 0) {
                    // wake up anyone waiting on the once flag
                    Native.parkingLotUnparkAll(flag.segment());
                }
                return res;
            }
            if (v == ONCE_INITIALIZED) {
                return 0;
            }
            // The once flag is initializing (locked).
            if ((v & HAS_PARKED) == 0) {
                // We are the first waiter. Set the _Py_HAS_PARKED flag.
                long newValue = v | HAS_PARKED;
                if (!flag.compareAndSet(v, newValue)) {
                    v = flag.getVolatile();
                    continue;
                }
                v = newValue;
            }
            // Wait for initialization to finish.
            park(thread, flag, v, -1, MemorySegment.NULL, true, false);
            v = flag.getVolatile();
        }
    }

    /**
     * {@code rwmutex_set_parked_and_wait} ({@code lock.c}:404-419): sets
     * {@code _Py_HAS_PARKED} and waits until woken.
     *
     * @return the word to look at next
     */
    private static long rwMutexSetParkedAndWait(ThreadState thread, StateWord rw, long bits) {
        if ((bits & HAS_PARKED) == 0) {
            long newval = bits | HAS_PARKED;
            if (!rw.compareAndSet(bits, newval)) {
                return rw.getVolatile();
            }
            bits = newval;
        }
        park(thread, rw, bits, -1, MemorySegment.NULL, true, false);
        return rw.getVolatile();
    }

    /** {@code _PyRWMutex_RLock} ({@code lock.c}:428-457). */
    public static void rwMutexRLock(ThreadState thread, StateWord rw) {
        long bits = rw.getVolatile();
        for (;;) {
            if ((bits & WRITE_LOCKED) != 0 || (bits & HAS_PARKED) != 0) {
                // A writer holds the lock, or one waits: park.
                bits = rwMutexSetParkedAndWait(thread, rw, bits);
            } else if (rw.compareAndSet(bits, bits + ONE_READER)) {
                return;
            } else {
                bits = rw.getVolatile();
            }
        }
    }

    /** {@code _PyRWMutex_Lock} ({@code lock.c}:472-490). */
    public static void rwMutexLock(ThreadState thread, StateWord rw) {
        long bits = rw.getVolatile();
        for (;;) {
            // If there are no active readers and it's not already write-locked,
            // then we can grab the lock.
            if ((bits & ~(long) HAS_PARKED) == 0) {
                if (rw.compareAndSet(bits, bits | WRITE_LOCKED)) {
                    return;
                }
                bits = rw.getVolatile();
                continue;
            }
            // Otherwise, we have to wait.
            bits = rwMutexSetParkedAndWait(thread, rw, bits);
        }
    }

    /**
     * {@code _PyRawMutex_LockSlow} ({@code lock.c}:189-216), the waiter's
     * entry in its {@link VirtualWaiter} slot.
     */
    public static void rawMutexLockSlow(ThreadState thread, StateWord m) {
        rawMutexLockSlow(thread.virtualWaiter(), m);
    }

    /** {@code _PyRawMutex_LockSlow} with the entry of {@code waiter}'s slot. */
    static void rawMutexLockSlow(VirtualWaiter waiter, StateWord m) {
        long entry = waiter.rawEntry();
        long v = m.getVolatile();
        for (;;) {
            if ((v & LOCKED) == 0) {
                // Unlocked: try to grab it (even if it has a waiter).
                if (m.compareAndSet(v, v | LOCKED)) {
                    return;
                }
                v = m.getVolatile();
                continue;
            }
            // Locked: try to add ourselves as a waiter.
            waiter.setRawNext(v & ~1L);
            if (!m.compareAndSet(v, entry | LOCKED)) {
                v = m.getVolatile();
                continue;
            }
            // Wait for us to be woken up. Note that we still have to lock the
            // mutex ourselves: it is NOT handed off to us.
            waiter.awaitRawWakeUp();
            v = m.getVolatile();
        }
    }

    /**
     * What {@code _Py_yield()} is in a sequence lock's loops while a write is
     * in progress: a wait until the sequence differs from the odd value seen,
     * or a spurious return. (A virtual thread that only yielded would keep
     * its carriers from the writer it waits for: the scheduler runs yielding
     * threads before the ones a timer woke.)
     */
    public interface SequenceWait {
        void awaitChange(long seen);
    }

    /** {@code _PySeqLock_LockWrite} ({@code lock.c}:506-525). */
    public static void seqLockLockWrite(StateWord seqlock, SequenceWait yield) {
        long prev = seqlock.getVolatile();
        for (;;) {
            if ((prev & 1) != 0) {
                // Someone else is currently updating the cache
                yield.awaitChange(prev);
                prev = seqlock.getVolatile();
            } else if (seqlock.compareAndSet(prev, (prev + 1) & 0xFFFF_FFFFL)) {
                // We've locked the cache. C's release fence: the writer's
                // stores that follow must not be seen before the odd
                // sequence (a compare-and-set alone does not order them on
                // AArch64).
                VarHandle.releaseFence();
                return;
            } else {
                // Another writer got in first: yield once and look again.
                Thread.yield();
                prev = seqlock.getVolatile();
            }
        }
    }

    /** {@code _PySeqLock_BeginRead} ({@code lock.c}:540-549). */
    public static long seqLockBeginRead(StateWord seqlock, SequenceWait yield) {
        long sequence = seqlock.getVolatile();
        while ((sequence & 1) != 0) {
            yield.awaitChange(sequence);
            sequence = seqlock.getVolatile();
        }
        return sequence;
    }

    /**
     * {@code _PyParkingLot_Park} on {@code word} for the calling thread, as the
     * loops above make it: split ({@link VirtualWaiter}) with the bundled
     * library; bound to an interpreter, whose parking lot only its own code
     * reaches, in C on a {@link Proxies proxy}.
     */
    private static int park(ThreadState thread, StateWord word, long expected, long timeoutNs,
                            MemorySegment parkArg, boolean detach, boolean interruptible) {
        if (NativeLibrary.isInterpreter()) {
            IntSupplier park = () -> Native.parkingLotPark(thread.segment(), word.segment(),
                    expected, word.size(), timeoutNs, parkArg, detach, interruptible);
            return interruptible ? Interrupts.parkBound(word.segment(), parkArg, park) : Proxies.await(park);
        }
        return thread.virtualWaiter().park(thread, word.segment(), expected, word.size(), timeoutNs, parkArg,
                detach, interruptible);
    }
}
