package org.cpylock;

import org.cpylock.internal.CPythonConstants;

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
        if (code == CPythonConstants.PARK_OK) {
            return OK;
        } else if (code == CPythonConstants.PARK_AGAIN) {
            return AGAIN;
        } else if (code == CPythonConstants.PARK_TIMEOUT) {
            return TIMEOUT;
        } else if (code == CPythonConstants.PARK_INTR) {
            return INTERRUPTED;
        }
        throw new IllegalStateException("unknown Py_PARK code " + code);
    }
}
