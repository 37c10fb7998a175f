package org.cpylock.port;

/**
 * The thread states of one {@link Port}: CPython's per-thread
 * {@code PyThreadState}, found for the calling thread as
 * {@code _PyThreadState_GET()} finds it.
 */
final class ThreadStates {
    /*
     * Implementation notes: one ThreadLocal per port, filled on first use
     * with an attached state (a thread that uses the port counts as holding a
     * thread state, attached, as a Python thread running Python code does).
     * Virtual threads get their own state: the state belongs to the Java
     * thread, whichever carrier runs it.
     */

    private final ThreadLocal<ThreadState> states = ThreadLocal.withInitial(ThreadState::new);

    /** The calling thread's state ({@code _PyThreadState_GET}, {@code Include/internal/pycore_pystate.h}). */
    ThreadState current() {
        return states.get();
    }
}
