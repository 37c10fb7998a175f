package org.cpylock.port;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * CPython's {@code _PyOnceFlag} ({@code Include/cpython/modsupport.h},
 * {@code Include/internal/pycore_lock.h}, {@code Python/lock.c}): runs an
 * initialization once, letting a failed one be retried.
 *
 * <h2>State word</h2>
 * One byte, {@code v}:
 * <pre>
 *   0  not initialized                       (_Py_UNLOCKED)
 *   1  an action is running                  (_Py_LOCKED)
 *   3  running, other threads parked on it   (_Py_LOCKED | _Py_HAS_PARKED)
 *   4  initialized                           (_Py_ONCE_INITIALIZED)
 * </pre>
 * The first caller moves 0 to 1 and runs its action while the others park.
 * Success stores 4, after which every call returns at once; failure stores 0
 * and wakes the parked threads, one of which then runs its own action.
 */
public final class OnceFlag implements org.cpylock.api.OnceFlag {
    /*
     * Implementation notes: callOnce is the static-inline _PyOnceFlag_CallOnce
     * (return if the byte is 4) followed by _PyOnceFlag_CallOnceSlow and
     * unlock_once. CPython's action returns 0 or -1; here an action that
     * returns normally is 0 and one that throws is -1, and the throwable (the
     * same instance, checked or not) is rethrown after the flag has been
     * reset and the waiters woken. Waiters park detached and keep waiting
     * through interrupts, which they set again on return. A thread that calls
     * the flag from inside its own action would park forever in C; the port
     * records running actions per thread and refuses that call.
     */


    private static final int UNLOCKED = 0;
    private static final int LOCKED = 1;
    private static final int HAS_PARKED = 2;
    private static final int ONCE_INITIALIZED = 4;

    private final Port port;
    private final AtomicWord v;

    OnceFlag(Port port, AtomicWord v) {
        this.port = port;
        this.v = v;
    }

    /**
     * Runs {@code action} unless the flag is initialized, waiting while
     * another thread's action runs. {@code _PyOnceFlag_CallOnce}
     * ({@code Include/internal/pycore_lock.h}) and
     * {@code _PyOnceFlag_CallOnceSlow} ({@code Python/lock.c}).
     *
     * @param <X>    what the action may throw
     * @param action the initialization, run on the calling thread unless the flag is initialized or another
     *               thread's action succeeds first
     * @throws X                     what the action threw; the flag is back at 0 and a later call retries
     * @throws IllegalStateException if called from inside this flag's own action (it would wait for itself)
     */
    public <X extends Throwable> void callOnce(Action<X> action) throws X {
        Objects.requireNonNull(action, "action");
        if (v.get() == ONCE_INITIALIZED) {
            return;
        }
        ThreadRecords records = port.threads().current().records();
        if (records.isRunningOnce(v.address())) {
            throw new IllegalStateException("OnceFlag.callOnce: called from inside this flag's own action,"
                    + " which would wait for itself");
        }
        callOnceSlow(action, records);
    }

    /**
     * Whether an action has succeeded: the check that opens {@code _PyOnceFlag_CallOnce}
     * ({@code Include/internal/pycore_lock.h}), {@code v == _Py_ONCE_INITIALIZED}.
     *
     * @return whether the state byte is 4 ({@code _Py_ONCE_INITIALIZED})
     */
    public boolean isDone() {
        return v.get() == ONCE_INITIALIZED;
    }

    /**
     * The state byte {@code _PyOnceFlag.v} ({@code Include/cpython/modsupport.h}), read atomically.
     *
     * @return 0, 1, 3 or 4
     */
    public int bits() {
        return (int) v.get();
    }

    /**
     * The {@code _PyOnceFlag} ({@code Include/cpython/modsupport.h}) as memory, laid out as the C type, for comparing
     * with C byte for byte (no CPython function).
     *
     * @return the one byte of the flag
     */
    public MemorySegment segment() {
        return v.slice();
    }

    @Override
    public String toString() {
        return "OnceFlag[v=" + bits() + "]";
    }

    /** {@code _PyOnceFlag_CallOnceSlow} ({@code Python/lock.c}, line 323). */
    private <X extends Throwable> void callOnceSlow(Action<X> action, ThreadRecords records) throws X {
        boolean interrupted = false;
        try {
            long current = v.get();
            for (;;) {
                if (current == UNLOCKED) {
                    long witness = v.compareAndExchange(UNLOCKED, LOCKED);
                    if (witness != UNLOCKED) {
                        current = witness;
                        continue;
                    }
                    Interrupts.restore(interrupted); // the action sees the caller's interrupt status
                    interrupted = false;
                    run(action, records);
                    return;
                }
                if (current == ONCE_INITIALIZED) {
                    return;
                }
                // An action is running: park until it finishes.
                if ((current & HAS_PARKED) == 0) {
                    long parked = current | HAS_PARKED;
                    long witness = v.compareAndExchange(current, parked);
                    if (witness != current) {
                        current = witness;
                        continue;
                    }
                    current = parked;
                }
                port.parkingLot().park(v, current, Timeouts.FOREVER, null, true);
                interrupted |= Interrupts.absorb();
                current = v.get();
            }
        } finally {
            Interrupts.restore(interrupted);
        }
    }

    /** Runs the action, then {@code unlock_once} ({@code Python/lock.c}, line 299) with its result. */
    private <X extends Throwable> void run(Action<X> action, ThreadRecords records) throws X {
        Throwable failure = null;
        records.runningOnce(v.address());
        try {
            action.run();
        } catch (Throwable thrown) {
            failure = thrown;
        } finally {
            records.ranOnce(v.address());
        }
        long previous = v.getAndSet(failure == null ? ONCE_INITIALIZED : UNLOCKED);
        if ((previous & HAS_PARKED) != 0) {
            port.parkingLot().unparkAll(v.address());
        }
        if (failure != null) {
            throw Throwables.<X>rethrow(failure);
        }
    }
}
