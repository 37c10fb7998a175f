package org.cpylock.api;

/**
 * A critical section of CPython's free-threaded build
 * ({@code Python/critical_section.c}): one or two {@code PyMutex}es held while
 * the section is the thread's innermost, released while the thread detaches,
 * ended innermost first. In the default build a section locks nothing.
 *
 * <p>A wait that detaches ({@link LockFlag#DETACH}, and every wait whose C code
 * detaches: {@link PyMutex#lock()}, the waits of {@link RWMutex},
 * {@link RecursiveMutex} and {@link OnceFlag}, {@link PyEvent#await()}, a
 * detaching {@link ParkingLot#park park}, a contended begin) suspends the
 * thread's sections, which cannot be done once a mutex of one of them was
 * unlocked outside its section: CPython would abort. An implementation then
 * either refuses the wait with {@link IllegalStateException} before it waits,
 * or waits without suspending the sections. A wait that does not detach, a
 * park whose value differs and a begin whose mutexes are free (neither waits)
 * go ahead as usual.
 */
public interface CriticalSection extends AutoCloseable {
    /**
     * Ends the section, unlocking its mutexes and resuming the one it
     * suspended: {@code _PyCriticalSection_End} / {@code _PyCriticalSection2_End}.
     *
     * @throws IllegalStateException        if it has ended already, belongs to another thread, is not the
     *                                      calling thread's innermost section, or the thread is detached
     *                                      (inside {@link Implementation#allowThreads}), with nothing changed
     * @throws IllegalMonitorStateException if one of its mutexes was unlocked outside the section
     */
    void end();

    /** Same as {@link #end()}, for try-with-resources: it too throws once the section has ended. */
    @Override
    default void close() {
        end();
    }

    /**
     * Whether {@link #end()} has run.
     *
     * @return true once the section has ended
     */
    boolean isEnded();
}
