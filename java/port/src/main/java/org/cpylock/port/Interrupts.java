package org.cpylock.port;

/**
 * Thread interrupts in the part CPython gives signals.
 */
final class Interrupts {
    /*
     * Implementation notes: in CPython a signal ends a semaphore wait once
     * (EINTR) and the park returns Py_PARK_INTR; most callers then simply
     * park again. A Java interrupt is not one-shot: while the status is set,
     * LockSupport.park returns at once, so parking again would spin. Callers
     * that retry therefore clear the status when a park reports it
     * (absorb), keep waiting, and set it again before they return (restore),
     * which leaves it for their caller exactly as it was.
     */

    private Interrupts() {
    }

    /** Clears the calling thread's interrupt status; returns whether it was set. */
    static boolean absorb() {
        return Thread.interrupted();
    }

    /** Sets the calling thread's interrupt status again if {@code pending}. */
    static void restore(boolean pending) {
        if (pending) {
            Thread.currentThread().interrupt();
        }
    }
}
