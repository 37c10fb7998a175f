package org.cpylock;

/** Result of {@link ParkingLot#park}: CPython's {@code Py_PARK_*} codes ({@code Include/internal/pycore_parking_lot.h}). */
public enum ParkStatus {
    /** {@code Py_PARK_OK}: woken by an unpark. */
    OK,
    /** {@code Py_PARK_TIMEOUT}: the timeout expired. */
    TIMEOUT,
    /** {@code Py_PARK_AGAIN}: the value at the address differed from the expected one; the thread did not park. */
    AGAIN,
    /** {@code Py_PARK_INTR}: the wait was interrupted. */
    INTERRUPTED;

    static ParkStatus of(int code) {
        return switch (code) {
            case 0 -> OK;
            case -1 -> AGAIN;
            case -2 -> TIMEOUT;
            case -3 -> INTERRUPTED;
            default -> throw new IllegalStateException("unknown Py_PARK code " + code);
        };
    }
}
