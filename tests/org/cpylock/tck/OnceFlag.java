package org.cpylock.tck;

/** CPython's {@code _PyOnceFlag} as the conformance suite drives it. */
public interface OnceFlag {
    /**
     * {@code _PyOnceFlag_CallOnce}: an action that throws is a failure (-1);
     * the exception reaches the caller.
     */
    <X extends Throwable> void callOnce(org.cpylock.OnceFlag.Action<X> action) throws X;

    /** Whether the state byte is {@code _Py_ONCE_INITIALIZED}. */
    boolean isDone();

    /** The state byte {@code v}. */
    int bits();
}
