package org.cpylock.api;

import java.lang.foreign.MemorySegment;

/**
 * An implementation of CPython's lock primitives in one flavour: the factory
 * of its primitives, its parking lot and the calling thread's critical
 * sections. cpylock's facade is one ({@code CPython.implementation()}), the
 * pure-Java port another; the conformance suite runs against any.
 */
public interface Implementation {
    /**
     * A name for reports.
     *
     * @return the name
     */
    String name();

    /**
     * The CPython build whose behaviour the implementation follows.
     *
     * @return its flavour
     */
    Flavour flavour();

    /**
     * Whether the implementation follows the free-threaded build.
     *
     * @return {@code flavour() == Flavour.FREE_THREADED}
     */
    default boolean freeThreaded() {
        return flavour() == Flavour.FREE_THREADED;
    }

    /**
     * Whether a recursive mutex's owner is the Java thread (a virtual thread
     * keeps owning it on another carrier), rather than the OS thread under it.
     *
     * @return true (the default) if the owner is the Java thread, false if it is the OS thread
     */
    default boolean ownerIsJavaThread() {
        return true;
    }

    /**
     * Whether {@link Thread#interrupt()} ends a wait as a signal ends one in
     * CPython ({@code Py_PARK_INTR}): a lock with
     * {@link LockFlag#HANDLE_SIGNALS} gives up, one without it waits on.
     *
     * @return true (the default) if interrupts reach waits; false where only the main thread of an
     *         interpreter would see a signal
     */
    default boolean interruptsEndWaits() {
        return true;
    }

    /**
     * A new, unlocked {@code PyMutex}.
     *
     * @return a mutex with state byte 0
     */
    PyMutex newMutex();

    /**
     * The {@code PyMutex} whose state byte is byte {@code offset} of
     * {@code segment}, as C code embeds a {@code PyMutex} at any byte of a
     * struct (a free-threaded {@code PyObject}'s {@code ob_mutex} is its byte
     * 10): zeroed memory is an unlocked mutex; every object over the same
     * byte is the same mutex (its state, its waiters, and one mutex to
     * {@link #beginCriticalSection(PyMutex, PyMutex)}); locking and unlocking
     * change that byte only, whatever other threads do to the bytes beside it.
     *
     * @param segment native, writable memory that holds the whole aligned 4-byte word around the byte
     *                (Java updates native memory atomically by whole words, so an implementation may
     *                update the byte through its word)
     * @param offset  the state byte's offset in {@code segment}
     * @return a mutex over that byte
     * @throws IllegalArgumentException if the memory is not native or not writable, or does not hold that word
     */
    PyMutex mutexAt(MemorySegment segment, long offset);

    /**
     * A new {@code PyEvent}, not set.
     *
     * @return an event with state byte 0
     */
    PyEvent newEvent();

    /**
     * A new, unlocked {@code _PyRawMutex}.
     *
     * @return a raw mutex with state word 0
     */
    RawMutex newRawMutex();

    /**
     * A new, unlocked {@code _PyRWMutex}.
     *
     * @return a readers-writer mutex with state word 0
     */
    RWMutex newRWMutex();

    /**
     * A new, unowned {@code _PyRecursiveMutex}.
     *
     * @return a recursive mutex with owner 0, level 0 and inner state byte 0
     */
    RecursiveMutex newRecursiveMutex();

    /**
     * A new {@code _PySeqLock}.
     *
     * @return a sequence lock with sequence 0
     */
    SeqLock newSeqLock();

    /**
     * A new {@code _PyOnceFlag}, not initialized.
     *
     * @return a once flag with state byte 0
     */
    OnceFlag newOnceFlag();

    /**
     * The parking lot the implementation's primitives park in.
     *
     * @return the parking lot, shared by every thread
     */
    ParkingLot parkingLot();

    /**
     * Begins a critical section on the calling thread: {@code _PyCriticalSection_BeginMutex}.
     *
     * @param mutex a mutex made by this implementation, held while the section is active (free-threaded)
     * @return the section, now the innermost (free-threaded)
     * @throws IllegalArgumentException if the mutex was made by another implementation
     * @throws IllegalStateException    inside {@link #allowThreads} (the thread is detached), with nothing
     *                                  changed; or if the begin has to wait while a mutex of one of the
     *                                  thread's sections was unlocked outside it, so that the wait cannot
     *                                  suspend them (CPython would abort), with nothing changed; an
     *                                  implementation may instead wait without suspending them
     */
    CriticalSection beginCriticalSection(PyMutex mutex);

    /**
     * Begins a critical section on two mutexes: {@code _PyCriticalSection2_BeginMutex}.
     *
     * @param first  one mutex made by this implementation
     * @param second the other; may be {@code first} itself, which is then locked once
     * @return the section, now the innermost (free-threaded)
     * @throws IllegalArgumentException if a mutex was made by another implementation
     * @throws IllegalStateException    as {@link #beginCriticalSection(PyMutex)}, with neither mutex held
     */
    CriticalSection beginCriticalSection(PyMutex first, PyMutex second);

    /**
     * The calling thread's innermost critical section ({@code PyThreadState.critical_section}).
     *
     * @return the section, equal to the one its {@code begin} returned; null if there is none, and
     *         always in the default flavour
     */
    CriticalSection topCriticalSection();

    /**
     * Runs {@code action} with the calling thread detached, as
     * {@code Py_BEGIN_ALLOW_THREADS} ... {@code Py_END_ALLOW_THREADS}.
     *
     * @param action run while detached (in the free-threaded flavour the thread's critical sections are
     *               suspended meanwhile and resumed after)
     * @throws IllegalStateException if a mutex of one of the thread's critical sections was unlocked
     *         outside the section (free-threaded flavour; CPython would abort): nothing is suspended and
     *         the action does not run
     */
    void allowThreads(Runnable action);
}
