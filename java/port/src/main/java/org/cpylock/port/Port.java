package org.cpylock.port;

import org.cpylock.api.Flavour;
import org.cpylock.api.Implementation;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A pure-Java CPython 3.13.5 lock runtime: one parking lot, one thread state
 * per thread, and the primitives of {@code Python/lock.c} built on them,
 * behaving as CPython's default or free-threaded build ({@link Flavour}).
 *
 * <p>Every primitive keeps its state in native memory laid out as the C type
 * ({@link PyMutex#segment()} and so on return it), either memory of its own,
 * zeroed, or memory the caller passes (the {@code ...At} factories).
 * Primitives of one port wait in that port's parking lot and detach that
 * port's thread states; use a port's primitives, critical sections and
 * {@link #allowThreads} together, not with another port's.
 */
public sealed class Port implements Implementation permits Port.FreeThreaded, Port.Default {
    /*
     * Implementation notes: a Port is what a CPython process has once: the
     * parking lot (ParkingLot, with its 257 buckets), the thread states
     * (ThreadStates, one per Java thread, attached on first use) and the
     * build's switches (Flavour). It creates the primitives over AtomicWords,
     * allocating zeroed native memory laid out as the C types (1-byte words
     * get an aligned 4-byte slot so they can be updated through their
     * container), begins critical sections and detaches for allowThreads.
     * It also keeps the records CPython does not (Writers) that let the
     * primitives refuse releases by threads that do not hold them.
     */

    private final Flavour flavour;
    private final CompileSwitches switches;
    private final ThreadStates threads = new ThreadStates();
    private final ParkingLot parkingLot = new ParkingLot(threads);
    private final Writers rwWriters = new Writers();
    private final Writers seqWriters = new Writers();

    /**
     * A new runtime with a parking lot and thread states of its own: what a CPython process has once, the
     * bucket table of {@code Python/parking_lot.c} and the thread states of {@code Python/pystate.c} (no
     * CPython function).
     *
     * @param flavour the CPython build to behave as
     */
    public Port(Flavour flavour) {
        this.flavour = Objects.requireNonNull(flavour, "flavour");
        this.switches = CompileSwitches.of(flavour);
    }

    /**
     * A new runtime: {@code new Port(flavour)} (no CPython function).
     *
     * @param flavour the CPython build to behave as
     * @return the runtime
     */
    public static Port of(Flavour flavour) {
        return new Port(flavour);
    }

    /**
     * The build this runtime behaves as: whether it follows CPython built with {@code Py_GIL_DISABLED}
     * ({@code Python/lock.c}, {@code Include/internal/pycore_critical_section.h}); no CPython function.
     *
     * @return the flavour
     */
    @Override
    public Flavour flavour() {
        return flavour;
    }

    /** The switches of the build this runtime behaves as. */
    CompileSwitches switches() {
        return switches;
    }

    /**
     * {@code "port-free-threaded"} or {@code "port-default"}: the name the
     * conformance suite's {@code -Dcpylock.tck.implementation} selects.
     *
     * @return the name
     */
    @Override
    public String name() {
        return "port-" + flavour.id();
    }

    /**
     * The parking lot ({@code Python/parking_lot.c}) of this runtime.
     *
     * @return the parking lot every primitive of this runtime waits in
     */
    @Override
    public ParkingLot parkingLot() {
        return parkingLot;
    }

    /**
     * A new, unlocked {@code PyMutex} ({@code Include/cpython/lock.h}): one zeroed byte,
     * as {@code (PyMutex){0}}.
     *
     * @return the mutex
     */
    @Override
    public PyMutex newMutex() {
        return mutexAt(Segments.allocate(4, 4), 0);
    }

    /**
     * The {@code PyMutex} ({@code Include/cpython/lock.h}) whose state byte is byte {@code offset}
     * of {@code segment}; zeroed memory is an unlocked mutex.
     *
     * @param segment native, writable memory that contains the aligned 4 bytes around the state byte
     * @param offset  the state byte's offset in the segment
     * @return a mutex over that byte; every object over it shares its state
     * @throws IllegalArgumentException if the memory is not usable (heap, read-only, out of bounds, or not
     *                                  covering the byte's aligned 4-byte container)
     */
    @Override
    public PyMutex mutexAt(MemorySegment segment, long offset) {
        return new PyMutex(this, AtomicWord.updatable(segment, offset, 1, "PyMutex"));
    }

    /**
     * A new {@code PyEvent} ({@code Include/internal/pycore_lock.h}), not set: one zeroed byte.
     *
     * @return the event
     */
    @Override
    public PyEvent newEvent() {
        return eventAt(Segments.allocate(4, 4), 0);
    }

    /**
     * The {@code PyEvent} ({@code Include/internal/pycore_lock.h}) whose state byte is byte {@code offset}
     * of {@code segment}.
     *
     * @param segment native, writable memory that contains the aligned 4 bytes around the state byte
     * @param offset  the state byte's offset
     * @return an event over that byte
     */
    public PyEvent eventAt(MemorySegment segment, long offset) {
        return new PyEvent(this, AtomicWord.updatable(segment, offset, 1, "PyEvent"));
    }

    /**
     * A new, unlocked {@code _PyRawMutex} ({@code Include/internal/pycore_lock.h}): one zeroed 8-byte word.
     *
     * @return the raw mutex
     */
    @Override
    public RawMutex newRawMutex() {
        return rawMutexAt(Segments.allocate(8, 8), 0);
    }

    /**
     * The {@code _PyRawMutex} ({@code Include/internal/pycore_lock.h}) whose word is the 8 bytes at
     * {@code offset} of {@code segment}.
     *
     * @param segment native, writable memory
     * @param offset  the word's offset, 8-aligned in memory
     * @return a raw mutex over that word
     */
    public RawMutex rawMutexAt(MemorySegment segment, long offset) {
        return new RawMutex(AtomicWord.updatable(segment, offset, 8, "RawMutex"));
    }

    /**
     * A new, unlocked {@code _PyRWMutex} ({@code Include/internal/pycore_lock.h}): one zeroed 8-byte word.
     *
     * @return the readers-writer mutex
     */
    @Override
    public RWMutex newRWMutex() {
        return rwMutexAt(Segments.allocate(8, 8), 0);
    }

    /**
     * The {@code _PyRWMutex} ({@code Include/internal/pycore_lock.h}) whose word is the 8 bytes at
     * {@code offset} of {@code segment}.
     *
     * @param segment native, writable memory
     * @param offset  the word's offset, 8-aligned in memory
     * @return a readers-writer mutex over that word
     */
    public RWMutex rwMutexAt(MemorySegment segment, long offset) {
        return new RWMutex(this, AtomicWord.updatable(segment, offset, 8, "RWMutex"));
    }

    /**
     * A new, unowned {@code _PyRecursiveMutex} ({@code Include/internal/pycore_lock.h}): 24 zeroed bytes.
     *
     * @return the recursive mutex
     */
    @Override
    public RecursiveMutex newRecursiveMutex() {
        return recursiveMutexAt(Segments.allocate(RecursiveMutex.SIZE, 8), 0);
    }

    /**
     * The {@code _PyRecursiveMutex} ({@code Include/internal/pycore_lock.h}) in the 24 bytes at
     * {@code offset} of {@code segment}.
     *
     * @param segment native, writable memory
     * @param offset  the structure's offset, 8-aligned in memory
     * @return a recursive mutex over that structure
     */
    public RecursiveMutex recursiveMutexAt(MemorySegment segment, long offset) {
        return new RecursiveMutex(this, segment, offset);
    }

    /**
     * A new {@code _PySeqLock} ({@code Include/internal/pycore_lock.h}), sequence 0: one zeroed 4-byte word.
     *
     * @return the sequence lock
     */
    @Override
    public SeqLock newSeqLock() {
        return seqLockAt(Segments.allocate(4, 4), 0);
    }

    /**
     * The {@code _PySeqLock} ({@code Include/internal/pycore_lock.h}) whose sequence is the 4 bytes at
     * {@code offset} of {@code segment}.
     *
     * @param segment native, writable memory
     * @param offset  the sequence's offset, 4-aligned in memory
     * @return a sequence lock over that word
     */
    public SeqLock seqLockAt(MemorySegment segment, long offset) {
        return new SeqLock(this, AtomicWord.updatable(segment, offset, 4, "SeqLock"));
    }

    /**
     * A new {@code _PyOnceFlag} ({@code Include/cpython/modsupport.h}), not initialized: one zeroed byte.
     *
     * @return the once flag
     */
    @Override
    public OnceFlag newOnceFlag() {
        return onceFlagAt(Segments.allocate(4, 4), 0);
    }

    /**
     * The {@code _PyOnceFlag} ({@code Include/cpython/modsupport.h}) whose state byte is byte
     * {@code offset} of {@code segment}.
     *
     * @param segment native, writable memory that contains the aligned 4 bytes around the state byte
     * @param offset  the state byte's offset
     * @return a once flag over that byte
     */
    public OnceFlag onceFlagAt(MemorySegment segment, long offset) {
        return new OnceFlag(this, AtomicWord.updatable(segment, offset, 1, "OnceFlag"));
    }

    /**
     * Begins a critical section on {@code mutex} and makes it the calling
     * thread's innermost. {@code _PyCriticalSection_BeginMutex}
     * ({@code Include/internal/pycore_critical_section.h}), and
     * {@code _PyCriticalSection_BeginSlow} ({@code Python/critical_section.c})
     * if the mutex is not free. Default build: locks and pushes nothing.
     *
     * @param mutex a mutex of this port
     * @return the section, to end on this thread
     * @throws IllegalStateException    if the thread is detached (inside {@link #allowThreads})
     * @throws IllegalArgumentException if the mutex belongs to another port
     */
    @Override
    public CriticalSection beginCriticalSection(org.cpylock.api.PyMutex mutex) {
        ThreadState state = attachedState("begin");
        PyMutex own = requireOwn(mutex);
        CriticalSection section = new CriticalSection(state, false, switches.criticalSectionsLock());
        if (switches.criticalSectionsLock()) {
            CriticalSections.beginMutex(state, section, own);
        }
        state.records().opened(section);
        return section;
    }

    /**
     * Begins a critical section on two mutexes (locked lower address first;
     * one mutex passed twice is locked once) and makes it the calling thread's
     * innermost. {@code _PyCriticalSection2_BeginMutex}
     * ({@code Include/internal/pycore_critical_section.h}), and
     * {@code _PyCriticalSection2_BeginSlow} ({@code Python/critical_section.c})
     * if a mutex is not free. Default build: locks and pushes nothing.
     *
     * @param first  a mutex of this port
     * @param second another mutex of this port, or {@code first} again
     * @return the section, to end on this thread
     * @throws IllegalStateException    if the thread is detached (inside {@link #allowThreads})
     * @throws IllegalArgumentException if a mutex belongs to another port
     */
    @Override
    public CriticalSection beginCriticalSection(org.cpylock.api.PyMutex first, org.cpylock.api.PyMutex second) {
        ThreadState state = attachedState("begin");
        PyMutex ownFirst = requireOwn(first);
        PyMutex ownSecond = requireOwn(second);
        CriticalSection section = new CriticalSection(state, true, switches.criticalSectionsLock());
        if (switches.criticalSectionsLock()) {
            CriticalSections.begin2Mutex(state, section, ownFirst, ownSecond);
        }
        state.records().opened(section);
        return section;
    }

    /**
     * The calling thread's innermost critical section, as
     * {@code PyThreadState.critical_section} ({@code Include/cpython/pystate.h}) points at it.
     *
     * @return the innermost section not yet ended, or null; always null in the default build
     */
    @Override
    public CriticalSection topCriticalSection() {
        return threads.current().csTop;
    }

    /**
     * Runs {@code action} with the calling thread detached, as
     * {@code Py_BEGIN_ALLOW_THREADS} / {@code Py_END_ALLOW_THREADS}:
     * {@code _PyThreadState_Detach} before it, which suspends the thread's
     * critical sections ({@code _PyCriticalSection_SuspendAll},
     * {@code Python/critical_section.c}), and {@code _PyThreadState_Attach}
     * after it, even if it throws, which resumes the innermost one
     * ({@code _PyCriticalSection_Resume}); both in {@code Python/pystate.c}.
     * A thread that is detached already runs the action as it is.
     *
     * @param action run on the calling thread while it is detached
     * @throws IllegalStateException if a mutex of one of the thread's critical sections was unlocked outside
     *                               the section (nothing is suspended and the action does not run)
     */
    @Override
    public void allowThreads(Runnable action) {
        Objects.requireNonNull(action, "action");
        ThreadState state = threads.current();
        if (!state.isAttached()) {
            action.run();
            return;
        }
        state.requireSuspendable("Port.allowThreads");
        state.detach();
        try {
            action.run();
        } finally {
            state.attach();
        }
    }

    @Override
    public String toString() {
        return "Port[" + flavour + "]";
    }

    ThreadStates threads() {
        return threads;
    }

    Writers rwWriters() {
        return rwWriters;
    }

    Writers seqWriters() {
        return seqWriters;
    }

    private ThreadState attachedState(String method) {
        ThreadState state = threads.current();
        if (!state.isAttached()) {
            throw new IllegalStateException("CriticalSection." + method + ": the thread is detached (inside"
                    + " allowThreads)");
        }
        return state;
    }

    private PyMutex requireOwn(org.cpylock.api.PyMutex mutex) {
        Objects.requireNonNull(mutex, "mutex");
        if (!(mutex instanceof PyMutex own) || own.port() != this) {
            throw new IllegalArgumentException("the mutex belongs to another Port or implementation: its waits"
                    + " would detach that one's thread states");
        }
        return own;
    }

    /** The free-threaded port, as the suite's service loader makes it. */
    public static final class FreeThreaded extends Port {
        /** A new free-threaded runtime. */
        public FreeThreaded() {
            super(Flavour.FREE_THREADED);
        }
    }

    /** The default-build port, as the suite's service loader makes it. */
    public static final class Default extends Port {
        /** A new default-build runtime. */
        public Default() {
            super(Flavour.DEFAULT);
        }
    }
}
