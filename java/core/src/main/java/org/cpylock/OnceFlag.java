package org.cpylock;

import org.cpylock.internal.Exceptions;
import org.cpylock.internal.JavaPaths;
import org.cpylock.internal.NativeSlots;
import org.cpylock.internal.OwnedMemory;
import org.cpylock.internal.OwnedStateWord;
import org.cpylock.internal.ThreadState;
import org.cpylock.internal.Upcalls;
import org.cpylock.internal.waits.Waits;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

import static org.cpylock.internal.CPythonConstants.ONCE_INITIALIZED;

/**
 * CPython's {@code _PyOnceFlag} ({@code Include/cpython/modsupport.h},
 * {@code Python/lock.c}): runs an initialization once, letting it fail and
 * be retried.
 *
 * <h2>State word</h2>
 * One byte, {@code v}:
 * <pre>
 *   0  not initialized
 *   1  an action is running                  (_Py_LOCKED)
 *   3  running, other threads parked on it   (_Py_LOCKED | _Py_HAS_PARKED)
 *   4  initialized                           (_Py_ONCE_INITIALIZED)
 * </pre>
 * The first caller moves 0 to 1 and runs its action; the others park until it
 * finishes. Success stores 4, after which every call returns at once. Failure
 * stores 0 and wakes the waiters, one of which then runs its own action.
 *
 * <p>The action runs in Java, called back from C. If it throws, that counts
 * as CPython's failure result (-1): the flag resets and the same exception,
 * checked or not, reaches the caller. No exception crosses into C. The memory
 * is zero-initialized and released once the flag is unreachable.
 */
public final class OnceFlag extends OwnedState implements org.cpylock.api.OnceFlag {
    /*
     * Implementation notes. _PyOnceFlag_CallOnce's initialized check is made
     * in Java (JavaPaths), then _PyOnceFlag_CallOnceSlow runs the action
     * through an upcall. The byte never leaves 4 once it is there (CPython has
     * no reset, and the memory is the facade's own), so the facade also
     * remembers it in a volatile Java field: a call on an initialized flag is
     * one volatile read, as the usual Java check is. The byte stays the state
     * word, and the field is set only after the byte was read as 4.
     */


    /** Whether the byte has been read as {@code _Py_ONCE_INITIALIZED} (see the implementation notes). */
    private volatile boolean initialized;

    /** A new flag, not initialized: zeroed memory, as CPython's {@code _PyOnceFlag once = {0}}; no C call. */
    public OnceFlag() {
        super(NativeSlots.WORDS);
    }

    /**
     * Runs {@code action} unless the flag is initialized; waits while another
     * thread's action runs. {@code _PyOnceFlag_CallOnce}
     * ({@code Include/internal/pycore_lock.h}, {@code Python/lock.c}).
     *
     * @param <X>    what the action may throw
     * @param action the initialization, run on the calling thread unless the flag is initialized
     *               or another thread's action succeeds first
     * @throws X                     what the action threw; the flag is reset and a later call retries
     * @throws IllegalStateException if called from inside this flag's own action (it would wait for itself)
     */
    public <X extends Throwable> void callOnce(Action<X> action) throws X {
        Objects.requireNonNull(action, "action");
        if (!(JavaPaths.ON && isDone())) {
            callOnceSlow(action);
        }
    }

    /**
     * {@code _PyOnceFlag_CallOnceSlow}, apart from {@link #callOnce} so that
     * the initialized check stays small enough to inline into its callers.
     */
    private <X extends Throwable> void callOnceSlow(Action<X> action) throws X {
        ThreadState thread = ThreadState.current();
        MemorySegment flag = segment();
        if (Upcalls.isRunningOn(thread, flag)) {
            throw new IllegalStateException("OnceFlag.callOnce: called from inside this flag's own action,"
                    + " which would wait for itself");
        }
        thread.requireDetachable("OnceFlag.callOnce");
        // A wait unless this thread gets to run the action itself.
        Waits.Token wait = Waits.begin(Wait.Primitive.ONCE_FLAG, address, this::bits, true, Waits.flags(true, false, false));
        Upcalls.Action run = () -> {
            Waits.cancel(wait);
            action.run();
        };
        Throwable failure = Thread.currentThread().isVirtual()
                ? Upcalls.callOnceInJava(thread, new OwnedStateWord(this, address, flag, 1), run)
                : Upcalls.callOnce(thread, flag, run);
        Waits.end(wait, Waits.Outcome.ACQUIRED);
        if (failure != null) {
            throw Exceptions.<X>rethrow(failure);
        }
    }

    /**
     * Whether an action has succeeded: {@code v == _Py_ONCE_INITIALIZED}.
     *
     * @return true once some thread's action has returned normally; it stays true
     */
    public boolean isDone() {
        if (initialized) {
            return true;
        }
        if (bits() == ONCE_INITIALIZED) {
            initialized = true;
            return true;
        }
        return false;
    }

    /**
     * The state byte {@code _PyOnceFlag.v} ({@code Include/cpython/modsupport.h}), read atomically; no C call.
     *
     * @return the state byte: 0, 1, 3 or 4
     */
    public int bits() {
        return OwnedMemory.getByteVolatile(this, address);
    }

    /**
     * The {@code _PyOnceFlag} ({@code Include/cpython/modsupport.h}) as a segment (it keeps the flag's memory
     * alive).
     *
     * @return a one-byte slice of the flag's memory, at its state byte
     */
    public MemorySegment segment() {
        return slot(1);
    }

    @Override
    public String toString() {
        return "OnceFlag[bits=" + bits() + Waits.describeWaiters(address) + "]";
    }
}
