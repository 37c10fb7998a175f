package org.cpylock.tck;

/** What a park returns: CPython's {@code Py_PARK_*} codes. */
public enum ParkResult {
    /** {@code Py_PARK_OK} (0): woken by an unpark. */
    OK,
    /** {@code Py_PARK_TIMEOUT} (-2): the timeout expired. */
    TIMEOUT,
    /** {@code Py_PARK_AGAIN} (-1): the word did not hold the expected value; the thread did not park. */
    AGAIN,
    /** {@code Py_PARK_INTR} (-3): the wait was interrupted. */
    INTERRUPTED
}
