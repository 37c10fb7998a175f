package org.cpylock.api;

/** Result of {@link ParkingLot#park}: CPython's {@code Py_PARK_*} codes ({@code Include/internal/pycore_parking_lot.h}). */
public enum ParkStatus {
    /** {@code Py_PARK_OK}: woken by an unpark. */
    OK,
    /** {@code Py_PARK_TIMEOUT}: the timeout expired. */
    TIMEOUT,
    /** {@code Py_PARK_AGAIN}: the value at the address differed from the expected one; the thread did not park. */
    AGAIN,
    /** {@code Py_PARK_INTR}: the wait was interrupted ({@link Thread#interrupt()}, whose status stays set). */
    INTERRUPTED
}
