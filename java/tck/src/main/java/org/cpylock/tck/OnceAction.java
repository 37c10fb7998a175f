package org.cpylock.tck;

/**
 * The initialization a {@link OnceFlagUnderTest} runs at most once to
 * completion: CPython's {@code _Py_once_fn_t}, where returning normally is
 * success (0) and throwing is failure (-1).
 *
 * @param <X> what the action may throw
 */
@FunctionalInterface
public interface OnceAction<X extends Throwable> {
    /**
     * Performs the initialization.
     *
     * @throws X a failure: the flag goes back to not initialized
     */
    void run() throws X;
}
