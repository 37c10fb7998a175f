package org.cpylock.internal;

import org.cpylock.internal.ffi._Py_once_fn_t;
import org.cpylock.internal.ffi._Py_unpark_fn_t;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Java code that C calls back: the function of {@code _PyOnceFlag_CallOnce}
 * and the callback of {@code _PyParkingLot_Unpark}.
 *
 * <p>Both run synchronously, on the thread that made the downcall, so the
 * Java action travels on that thread's stack of upcall frames rather than
 * through the C argument. An exception must never cross into C (the JVM
 * would abort): each upcall catches everything, records it in its frame, and
 * returns normally; the caller rethrows it once the downcall has returned.
 */
public final class Upcalls {
    /** An action that may throw anything. */
    public interface Action {
        void run() throws Throwable;
    }

    /** Receives the woken waiter's park argument (or null) and whether others still wait. */
    public interface UnparkAction {
        void onUnpark(Object parkArgument, boolean hasMoreWaiters);
    }

    private static final int ONCE_SUCCESS = 0;
    private static final int ONCE_FAILURE = -1;

    private static final MemorySegment ONCE_FN = _Py_once_fn_t.allocate(Upcalls::runOnce, Arena.global());
    private static final MemorySegment UNPARK_FN = _Py_unpark_fn_t.allocate(Upcalls::runUnpark, Arena.global());

    private Upcalls() {
    }

    /** A pending upcall of one thread, and what it threw. */
    static final class Frame {
        final Object action;
        final MemorySegment target;
        final boolean unpark;
        Throwable failure;

        Frame(Object action, MemorySegment target, boolean unpark) {
            this.action = action;
            this.target = target;
            this.unpark = unpark;
        }
    }

    /**
     * {@code _PyOnceFlag_CallOnce(flag, fn, NULL)} where {@code fn} runs
     * {@code action}, which fails (C sees -1) if it throws.
     *
     * @return what the action threw, or null when it succeeded or the flag was already initialized
     */
    public static Throwable callOnce(ThreadState thread, MemorySegment flag, Action action) {
        Frame frame = new Frame(action, flag, false);
        thread.pushUpcall(frame);
        try {
            Native.onceFlagCallOnce(thread.segment(), flag, ONCE_FN, MemorySegment.NULL);
        } finally {
            thread.popUpcall();
        }
        return frame.failure;
    }

    /**
     * {@link LockC#onceFlagCallOnceSlow}, for a thread that waits in Java: as
     * {@link #callOnce}, with the action run directly rather than from C.
     *
     * @return what the action threw, or null when it succeeded or the flag was already initialized
     */
    public static Throwable callOnceInJava(ThreadState thread, StateWord flag, Action action) {
        Frame frame = new Frame(action, flag.segment(), false);
        thread.pushUpcall(frame);
        try {
            LockC.onceFlagCallOnceSlow(thread, flag, () -> runOnce(frame));
        } finally {
            thread.popUpcall();
        }
        return frame.failure;
    }

    /**
     * {@code _PyParkingLot_Unpark(address, fn, NULL)} where {@code fn} runs
     * {@code action} under the bucket lock.
     *
     * @return what the action threw, or null
     */
    public static Throwable unpark(ThreadState thread, MemorySegment address, UnparkAction action) {
        Frame frame = new Frame(action, address, true);
        thread.pushUpcall(frame);
        try {
            Native.parkingLotUnpark(address, UNPARK_FN, MemorySegment.NULL);
        } finally {
            thread.popUpcall();
        }
        return frame.failure;
    }

    /** Whether the calling thread is inside an upcall on {@code target} (by address). */
    public static boolean isRunningOn(ThreadState thread, MemorySegment target) {
        return thread.hasUpcallOn(target.address());
    }

    private static int runOnce(MemorySegment unusedArg) {
        Frame frame;
        try {
            frame = ThreadState.current().topUpcall();
        } catch (Throwable t) {
            return ONCE_FAILURE;
        }
        return runOnce(frame);
    }

    /** The action of {@code frame}: 0, or -1 with what it threw recorded. */
    private static int runOnce(Frame frame) {
        try {
            ((Action) frame.action).run();
            return ONCE_SUCCESS;
        } catch (Throwable t) {
            frame.failure = t;
            return ONCE_FAILURE;
        }
    }

    private static void runUnpark(MemorySegment unusedArg, MemorySegment parkArg, int hasMoreWaiters) {
        Frame frame = null;
        try {
            frame = ThreadState.current().topUpcall();
            Object argument = ParkArguments.lookup(parkArg.address());
            ((UnparkAction) frame.action).onUnpark(argument, hasMoreWaiters != 0);
        } catch (Throwable t) {
            if (frame != null) {
                frame.failure = t;
            }
        }
    }
}
