package org.cpylock.tck;

/**
 * An implementation of CPython's lock primitives under test: the factory the
 * conformance suite asks for every primitive it exercises.
 *
 * <p>To run the suite against another implementation (a pure-Java port, say),
 * implement this interface and the primitive interfaces of this package, then
 * write one JUnit 5 class that implements the contract interfaces
 * ({@link MutexContract}, {@link EventContract}, ...) and returns the
 * implementation from {@link ImplementationUnderTest#implementation()}.
 */
public interface Implementation {
    /** A name for reports. */
    String name();

    /**
     * Whether the implementation follows CPython's free-threaded build
     * ({@code Py_GIL_DISABLED}: {@code PyMutex} spins before parking, critical
     * sections lock) rather than its default build.
     */
    boolean freeThreaded();

    /**
     * Whether a recursive mutex's owner is the Java thread (a virtual thread
     * keeps owning it on another carrier), rather than the OS thread under it.
     */
    default boolean ownerIsJavaThread() {
        return true;
    }

    /** A new, unlocked {@code PyMutex}. */
    Mutex newMutex();

    /** A new {@code PyEvent}, not set. */
    Event newEvent();

    /** A new, unlocked {@code _PyRawMutex}. */
    RawMutex newRawMutex();

    /** A new, unlocked {@code _PyRWMutex}. */
    RWMutex newRWMutex();

    /** A new, unowned {@code _PyRecursiveMutex}. */
    RecursiveMutex newRecursiveMutex();

    /** A new {@code _PySeqLock}, sequence 0. */
    SeqLock newSeqLock();

    /** A new {@code _PyOnceFlag}, not initialized. */
    OnceFlag newOnceFlag();

    /** The parking lot. */
    ParkingLot parkingLot();

    /** Critical sections of the calling thread. */
    CriticalSections criticalSections();

    /**
     * Runs {@code action} with the calling thread detached, as
     * {@code Py_BEGIN_ALLOW_THREADS} ... {@code Py_END_ALLOW_THREADS}.
     */
    void allowThreads(Runnable action);
}
