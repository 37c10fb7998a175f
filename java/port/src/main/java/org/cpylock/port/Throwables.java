package org.cpylock.port;

/**
 * Rethrowing a caught throwable of any kind unchanged.
 */
final class Throwables {
    /*
     * Implementation notes: user code (an OnceFlag action, an unpark
     * callback) may throw checked exceptions; the port catches them to run
     * CPython's clean-up and then rethrows the same instance through an
     * unchecked generic cast.
     */

    private Throwables() {
    }

    /** Throws {@code failure} as it is; declared to return so callers can write {@code throw rethrow(t)}. */
    @SuppressWarnings("unchecked")
    static <X extends Throwable> RuntimeException rethrow(Throwable failure) throws X {
        throw (X) failure;
    }
}
