package org.cpylock.tck;

/** CPython's {@code _PyOnceFlag} as the conformance suite drives it. */
public interface OnceFlagUnderTest extends InMemory {
    /**
     * {@code _PyOnceFlag_CallOnce}: an action that throws is a failure (-1);
     * the exception reaches the caller.
     *
     * @param <X>    what the action may throw
     * @param action the initialization; not run if the flag is already initialized
     * @throws X what the action threw; the flag is back at 0
     */
    <X extends Throwable> void callOnce(OnceAction<X> action) throws X;

    /**
     * Whether the state byte is {@code _Py_ONCE_INITIALIZED}.
     *
     * @return true once some call's action has returned normally
     */
    boolean isDone();

    /**
     * The state byte {@code v}.
     *
     * @return the state byte: 0 not initialized, 1 running, 3 running with parked threads, 4 initialized
     */
    int bits();
}
