package org.cpylock.port;

import org.cpylock.api.ParkStatus;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * A counting semaphore owned by one waiting thread: CPython's
 * {@code _PySemaphore} ({@code Include/internal/pycore_semaphore.h},
 * {@code Python/parking_lot.c}).
 */
final class WakeSignal {
    /*
     * Implementation notes: a semaphore here is a permit count and the thread
     * that created it (the only one that waits on it). wakeup() adds a
     * permit and unparks that thread (_PySemaphore_Wakeup); a wait consumes a
     * permit, parking with LockSupport while there is none, so a virtual
     * thread unmounts instead of pinning its carrier. LockSupport may return
     * spuriously, or because another signal of the same thread was posted,
     * so every return re-checks this signal's own count: a post is never
     * lost and never taken for another.
     *
     * _PySemaphore_PlatformWait's three outcomes: a permit (Py_PARK_OK), the
     * deadline passing (Py_PARK_TIMEOUT) and EINTR (Py_PARK_INTR), the last
     * being the thread's interrupt status, which is left set. A permit wins
     * over both, so a thread that was woken reports OK. _PySemaphore_Wait
     * adds the detach: with detach set and the thread state attached, it
     * detaches before waiting and attaches after (PyEval_ReleaseThread /
     * PyEval_AcquireThread), which suspends and resumes critical sections.
     */

    private static final VarHandle PERMITS;

    static {
        try {
            PERMITS = MethodHandles.lookup().findVarHandle(WakeSignal.class, "permits", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Thread waiter = Thread.currentThread();
    @SuppressWarnings("unused") // through PERMITS
    private volatile int permits;

    /**
     * {@code _PySemaphore_Wait}: waits for a permit at most {@code timeout}
     * nanoseconds (negative: no limit), detaching {@code state} meanwhile if
     * {@code detach} and it is attached ({@code state} may be null: no thread
     * state, never detached).
     */
    ParkStatus await(long timeout, ThreadState state, boolean detach) {
        boolean detached = detach && state != null && state.isAttached();
        if (detached) {
            state.detach();
        }
        try {
            return platformWait(timeout);
        } finally {
            if (detached) {
                state.attach();
            }
        }
    }

    /**
     * Waits for a permit however long it takes, as CPython's
     * {@code do { res = _PySemaphore_Wait(sema, -1, detach); } while (res != Py_PARK_OK);}
     * does; an interrupt does not end it and is set again on return.
     */
    void awaitWoken(ThreadState state, boolean detach) {
        boolean interrupted = false;
        try {
            while (await(Timeouts.FOREVER, state, detach) != ParkStatus.OK) {
                interrupted |= Interrupts.absorb();
            }
        } finally {
            Interrupts.restore(interrupted);
        }
    }

    /** {@code _PySemaphore_Wakeup}: adds a permit and wakes the waiter. */
    void wakeup() {
        PERMITS.getAndAdd(this, 1);
        LockSupport.unpark(waiter);
    }

    /** {@code _PySemaphore_PlatformWait}. */
    private ParkStatus platformWait(long timeout) {
        long deadline = timeout > 0 ? Timeouts.deadline(Timeouts.monotonic(), timeout) : 0;
        for (;;) {
            if (tryAcquire()) {
                return ParkStatus.OK;
            }
            if (Thread.currentThread().isInterrupted()) {
                return ParkStatus.INTERRUPTED;
            }
            if (timeout < 0) {
                LockSupport.park(this);
            } else {
                long left = timeout == 0 ? 0 : Timeouts.remaining(deadline);
                if (left <= 0) {
                    return tryAcquire() ? ParkStatus.OK : ParkStatus.TIMEOUT;
                }
                LockSupport.parkNanos(this, left);
            }
        }
    }

    private boolean tryAcquire() {
        for (;;) {
            int available = (int) PERMITS.getVolatile(this);
            if (available == 0) {
                return false;
            }
            if (PERMITS.compareAndSet(this, available, available - 1)) {
                return true;
            }
        }
    }
}
