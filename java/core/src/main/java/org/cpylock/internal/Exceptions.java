package org.cpylock.internal;

/** Rethrowing what a user action threw, checked or not, unchanged. */
public final class Exceptions {
    private Exceptions() {
    }

    /**
     * Throws {@code failure} as it is. The caller declares what the action
     * could throw; the compiler sees {@code X}.
     */
    @SuppressWarnings("unchecked")
    public static <X extends Throwable> X rethrow(Throwable failure) throws X {
        throw (X) failure;
    }
}
