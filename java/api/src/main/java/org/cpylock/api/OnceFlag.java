package org.cpylock.api;

/**
 * CPython's {@code _PyOnceFlag} ({@code Include/internal/pycore_lock.h}): runs
 * an initialization at most once to completion; callers that arrive while it
 * runs wait for it. The state byte is 0 (not initialized), 1 (running),
 * 3 (running, with parked waiters) or 4 ({@code _Py_ONCE_INITIALIZED}).
 */
public interface OnceFlag extends InMemory {
    /**
     * An initialization: CPython's {@code _Py_once_fn_t}, where returning
     * normally is success (0) and throwing is failure (-1).
     *
     * @param <X> what it may throw
     */
    @FunctionalInterface
    interface Action<X extends Throwable> {
        /**
         * Performs the initialization; returning normally marks the flag initialized.
         *
         * @throws X a failure: the flag goes back to not initialized and {@link #callOnce} rethrows it
         */
        void run() throws X;
    }

    /**
     * Runs {@code action} unless the flag is initialized, or waits for the call
     * that is running it: {@code _PyOnceFlag_CallOnce}.
     *
     * @param <X>    what the action may throw
     * @param action the initialization; not run if the flag is already initialized
     * @throws X what the action threw; the flag is back at 0, and a waiting caller runs its own action
     */
    <X extends Throwable> void callOnce(Action<X> action) throws X;

    /**
     * Whether some call's action has returned normally.
     *
     * @return whether the state byte is {@code _Py_ONCE_INITIALIZED}
     */
    boolean isDone();

    /**
     * The state byte {@code v}, read atomically.
     *
     * @return 0 not initialized, 1 running, 3 running with parked threads, 4 initialized
     */
    int bits();
}
