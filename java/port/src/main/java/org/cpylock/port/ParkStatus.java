package org.cpylock.port;

/** The result of {@link ParkingLot#park}: CPython's {@code Py_PARK_*} codes ({@code Include/internal/pycore_parking_lot.h}). */
public enum ParkStatus {
    /** {@code Py_PARK_OK} (0): woken by an unpark. */
    OK,
    /** {@code Py_PARK_TIMEOUT} (-2): the timeout expired. */
    TIMEOUT,
    /** {@code Py_PARK_AGAIN} (-1): the word did not hold the expected value; the thread did not park. */
    AGAIN,
    /** {@code Py_PARK_INTR} (-3): the wait was interrupted ({@link Thread#interrupt()}, whose status stays set). */
    INTERRUPTED
}
