package org.cpylock.tck;

/**
 * An implementation of CPython's lock primitives under test: the factory the
 * conformance suite asks for every primitive it exercises.
 *
 * <p>To run the suite against another implementation (a pure-Java port, say),
 * implement this interface and the primitive interfaces of this package, then
 * write one JUnit 5 class that implements the contract interfaces
 * ({@link MutexContract}, {@link EventContract}, ...) and returns the
 * implementation from {@link ImplementationProvider#implementation()}.
 */
public interface Implementation {
    /**
     * A name for reports.
     *
     * @return the name, shown in reports
     */
    String name();

    /**
     * Whether the implementation follows CPython's free-threaded build
     * ({@code Py_GIL_DISABLED}: {@code PyMutex} spins before parking, critical
     * sections lock) rather than its default build.
     *
     * @return true for the free-threaded build's behaviour, false for the default build's
     */
    boolean freeThreaded();

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
     * {@link LockOption#HANDLE_SIGNALS} gives up, one without it waits on.
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
    MutexUnderTest newMutex();

    /**
     * A new {@code PyEvent}, not set.
     *
     * @return an event with state byte 0
     */
    EventUnderTest newEvent();

    /**
     * A new, unlocked {@code _PyRawMutex}.
     *
     * @return a raw mutex with state word 0
     */
    RawMutexUnderTest newRawMutex();

    /**
     * A new, unlocked {@code _PyRWMutex}.
     *
     * @return a readers-writer mutex with state word 0
     */
    RWMutexUnderTest newRWMutex();

    /**
     * A new, unowned {@code _PyRecursiveMutex}.
     *
     * @return a recursive mutex with owner 0, level 0 and inner state byte 0
     */
    RecursiveMutexUnderTest newRecursiveMutex();

    /**
     * A new {@code _PySeqLock}, sequence 0.
     *
     * @return a sequence lock with sequence 0
     */
    SeqLockUnderTest newSeqLock();

    /**
     * A new {@code _PyOnceFlag}, not initialized.
     *
     * @return a once flag with state byte 0
     */
    OnceFlagUnderTest newOnceFlag();

    /**
     * The parking lot.
     *
     * @return the parking lot, used from every thread of a test
     */
    ParkingLotUnderTest parkingLot();

    /**
     * Critical sections of the calling thread.
     *
     * @return the calling thread's critical sections (a test asks for them on each thread that uses them)
     */
    CriticalSectionsUnderTest criticalSections();

    /**
     * Runs {@code action} with the calling thread detached, as
     * {@code Py_BEGIN_ALLOW_THREADS} ... {@code Py_END_ALLOW_THREADS}.
     *
     * @param action run on the calling thread while detached (in the free-threaded build its critical
     *               sections are suspended meanwhile and resumed after)
     */
    void allowThreads(Runnable action);
}
