package org.cpylock.internal;

import org.cpylock.internal.ffi.CPyLockInterpreter;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.util.ArrayList;

/**
 * The native thread state ({@code cpylock_thread}: a {@code PyThreadState} and
 * an identity) that belongs to one Java thread, platform or virtual.
 *
 * <p>CPython keeps the current thread state in OS-thread-local storage; a
 * virtual thread may run on a different carrier at each call, so the state
 * lives here, in a {@link ThreadLocal} of the Java thread, and is passed to
 * every native call that depends on it (the library binds it for the duration
 * of the call). Its identity, reported by {@code PyThread_get_thread_ident_ex},
 * is the Java thread's {@link Thread#threadId()}.
 *
 * <p>It also holds what the facade keeps per thread: the thread's critical
 * sections, its pending upcalls and the record it parks with.
 *
 * <p>The memory belongs to an automatic arena: it is released once the thread
 * has ended and its thread-locals are unreachable. Bound to an interpreter,
 * the state is the interpreter's own {@code PyThreadState}, created when the
 * thread first attaches, and deleted by a cleaner then.
 */
public final class ThreadState {
    private static final long SIZE = Native.threadSize();
    private static final ThreadLocal<ThreadState> CURRENT = ThreadLocal.withInitial(ThreadState::new);


    private final MemorySegment segment;
    /** The records this thread parks with, one per wait in progress (a wait may wait in turn, see {@link #takeRecord}). */
    private final ArrayList<MemorySegment> parkRecords = new ArrayList<>(1);
    private int parkRecordsInUse;
    private final ArrayList<Upcalls.Frame> upcalls = new ArrayList<>(2);
    /**
     * {@code _Py_CRITICAL_SECTION_MASK} ({@code Include/internal/pycore_critical_section.h}): the tag bits of
     * {@code PyThreadState.critical_section}.
     */
    private static final long CRITICAL_SECTION_TAG_MASK = 0x3;

    /**
     * Whether the thread state is attached, as Java sees it: only
     * {@link #detach()} and {@link #attach()} change that between calls (a
     * wait that detaches attaches again before it returns, and no upcall runs
     * on the waiting thread in between), so Java keeps it rather than asking C.
     */
    private boolean attached = true;
    private CriticalSectionStack criticalSections;
    private HoldCounts readHolds;
    /** The thread's waiter slot, once it has waited without blocking in C ({@link #waitsInJava()}). */
    private VirtualWaiter virtualWaiter;
    /** Two pointers, for the mutexes of a section being resumed or begun (see {@link CriticalSections}). */
    private MemorySegment sectionMutexes;

    private ThreadState() {
        Arena arena = Arena.ofAuto();
        segment = arena.allocate(SIZE, 16);
        Native.threadInit(segment, Thread.currentThread().threadId());
        parkRecords.add(newRecord(arena));
        if (NativeLibrary.isInterpreter()) {
            // The interpreter's PyThreadState, if the thread gets one, outlives this
            // object only until the cleaner deletes it (the action keeps the memory alive).
            MemorySegment state = segment;
            Releaser.CLEANER.register(this, () -> CPyLockInterpreter.cpylock_interpreter_thread_release(state));
        }
    }

    /** Deletes interpreter thread states (bound to an interpreter only). */
    private static final class Releaser {
        static final Cleaner CLEANER = Cleaner.create(Thread.ofPlatform().name("cpylock-thread-states")
                .daemon(true).factory());
    }

    /**
     * Whether the calling thread may use what the interpreter ties to OS
     * threads (a thread state for critical sections, recursive-mutex owners):
     * with the bundled library, every thread; bound to an interpreter, platform
     * threads only.
     *
     * @throws IllegalStateException for a virtual thread bound to an interpreter
     */
    public static void requireOsThreadIdentity(String operation) {
        if (Thread.currentThread().isVirtual() && NativeLibrary.isInterpreter()) {
            throw new IllegalStateException(operation + ": bound to an interpreter (-D" + NativeLibrary.LIBRARY_PROPERTY
                    + "), this identifies threads by OS thread, and a virtual thread changes carriers;"
                    + " use a platform thread");
        }
    }

    /** The calling Java thread's state. */
    public static ThreadState current() {
        return CURRENT.get();
    }

    /**
     * Bound to an interpreter, refuses a wait that would detach the thread
     * while a mutex of one of its critical sections was unlocked outside the
     * section: the interpreter's detach would abort the process, and its
     * own waits (read-write and recursive mutexes, once flags, contended
     * sections) detach unasked. The bundled library waits holding the
     * sections instead; so do the waits that take a detach flag here.
     *
     * @throws IllegalStateException if the thread's sections cannot be suspended
     */
    public void requireDetachable(String operation) {
        if (!detachable()) {
            throw notDetachable(operation);
        }
    }

    /** Whether a wait may detach this thread (see {@link #requireDetachable}). */
    public boolean detachable() {
        return criticalSections == null || criticalSections.depth() == 0 || !NativeLibrary.isInterpreter()
                || CPyLockInterpreter.cpylock_interpreter_detachable() != 0;
    }

    /** The refusal of {@link #requireDetachable}. */
    public static IllegalStateException notDetachable(String operation) {
        return new IllegalStateException(operation + ": a mutex of one of this thread's critical sections was"
                + " unlocked outside the section; the interpreter would abort when this wait suspends the"
                + " sections. End them first");
    }

    /** The {@code cpylock_thread *} to pass to native calls. */
    public MemorySegment segment() {
        return segment;
    }

    /** Whether the thread state is attached (it is, except inside {@link #detach()}/{@link #attach()}). */
    public boolean isAttached() {
        return attached;
    }

    /**
     * {@code PyEval_ReleaseThread}: detaches the thread state, suspending the
     * thread's critical sections in the free-threaded flavour.
     *
     * @return false if a critical section's mutex had been unlocked outside the
     *         section, in which case no section was suspended (CPython would abort)
     */
    public boolean detach() {
        attached = false;
        return Native.threadDetach(segment);
    }

    /**
     * {@code PyEval_AcquireThread}: attaches the thread state, resuming the
     * thread's innermost critical section in the free-threaded flavour (on a
     * thread that {@linkplain #waitsInJava() waits in Java}, with the waits
     * of that resumption made in Java).
     */
    public void attach() {
        if (!waitsInJava()) {
            Native.threadAttach(segment);
            attached = true;
            return;
        }
        boolean resume = Native.threadAttachDeferred(segment);
        attached = true;
        if (resume) {
            CriticalSections.resume(this);
        }
    }

    /**
     * Whether the calling thread waits in Java rather than in C: a virtual
     * thread with the bundled library ({@link LockC}, {@link VirtualWaiter}).
     */
    public static boolean waitsInJava() {
        return Thread.currentThread().isVirtual() && !NativeLibrary.isInterpreter();
    }

    /** The thread's waiter slot, created on its first wait in Java. */
    VirtualWaiter virtualWaiter() {
        VirtualWaiter waiter = virtualWaiter;
        if (waiter == null) {
            waiter = virtualWaiter = VirtualWaiter.create(this);
        }
        return waiter;
    }

    /** Room for two mutex pointers, for the native calls of {@link CriticalSections}. */
    MemorySegment sectionMutexes() {
        MemorySegment mutexes = sectionMutexes;
        if (mutexes == null) {
            mutexes = sectionMutexes = Arena.ofAuto().allocate(ValueLayout.ADDRESS, 2);
        }
        return mutexes;
    }

    /** The address of the innermost critical section ({@code PyThreadState.critical_section} without its tag), or 0. */
    public long innermostCriticalSection() {
        return Native.threadCriticalSection(segment) & ~CRITICAL_SECTION_TAG_MASK;
    }

    /** {@code _PyCriticalSection_BeginMutex(structure, mutex)} on this thread's state. */
    public void beginCriticalSection(MemorySegment structure, MemorySegment mutex) {
        Native.criticalSectionBegin(segment, structure, mutex);
    }

    /** {@code _PyCriticalSection2_BeginMutex(structure, first, second)} on this thread's state. */
    public void beginCriticalSection(MemorySegment structure, MemorySegment first, MemorySegment second) {
        Native.criticalSection2Begin(segment, structure, first, second);
    }

    /**
     * Bound to an interpreter, {@code _PyCriticalSection_BeginMutex} if the
     * mutex is free (its inline path, which waits for nothing): true if
     * begun; false, with nothing done, if it would have to wait.
     */
    public boolean beginCriticalSectionIfFree(MemorySegment structure, MemorySegment mutex) {
        return Native.criticalSectionBeginIfFree(segment, structure, mutex);
    }

    /** The same for {@code _PyCriticalSection2_BeginMutex}: both mutexes free. */
    public boolean beginCriticalSectionIfFree(MemorySegment structure, MemorySegment first, MemorySegment second) {
        return Native.criticalSection2BeginIfFree(segment, structure, first, second);
    }

    /**
     * {@code _PyCriticalSection_End} or {@code _PyCriticalSection2_End} of the
     * structure, checked: false, with nothing changed, if a mutex it should
     * hold is not locked.
     */
    public boolean endCriticalSection(MemorySegment structure, boolean twoMutexes) {
        return (twoMutexes ? Native.criticalSection2EndChecked(segment, structure)
                : Native.criticalSectionEndChecked(segment, structure)) == 0;
    }

    /** Whether the thread has begun a critical section it has not ended (in either flavour). */
    public boolean inCriticalSection() {
        CriticalSectionStack stack = criticalSections;
        return stack != null && stack.depth() > 0;
    }

    /** The thread's critical sections. */
    public CriticalSectionStack criticalSections() {
        CriticalSectionStack stack = criticalSections;
        if (stack == null) {
            stack = criticalSections = new CriticalSectionStack();
        }
        return stack;
    }

    /** The read locks this thread holds. */
    public HoldCounts readHolds() {
        HoldCounts holds = readHolds;
        if (holds == null) {
            holds = readHolds = new HoldCounts();
        }
        return holds;
    }

    /**
     * A record for this thread to pass as {@code park_arg} (see
     * {@link ParkArguments}), until {@link #returnRecord()}. A wait of a
     * thread that waits in Java may wait in turn (attaching after a detached
     * wait resumes critical sections), so each wait in progress has its own,
     * as each C frame has its own {@code struct mutex_entry}.
     */
    MemorySegment takeRecord() {
        if (parkRecordsInUse == parkRecords.size()) {
            parkRecords.add(newRecord(Arena.ofAuto()));
        }
        return parkRecords.get(parkRecordsInUse++);
    }

    /** Gives back the record of {@link #takeRecord()}, reset. */
    void returnRecord() {
        ParkArguments.initRecord(parkRecords.get(--parkRecordsInUse));
    }

    private static MemorySegment newRecord(Arena arena) {
        MemorySegment record = arena.allocate(ParkArguments.RECORD_BYTES, 8);
        ParkArguments.initRecord(record);
        return record;
    }

    /** Whether the thread is inside an unpark callback (which runs under a parking-lot bucket lock). */
    public boolean isInUnparkCallback() {
        for (Upcalls.Frame frame : upcalls) {
            if (frame.unpark) {
                return true;
            }
        }
        return false;
    }

    void pushUpcall(Upcalls.Frame frame) {
        upcalls.add(frame);
    }

    void popUpcall() {
        upcalls.remove(upcalls.size() - 1);
    }

    Upcalls.Frame topUpcall() {
        return upcalls.get(upcalls.size() - 1);
    }

    boolean hasUpcallOn(long address) {
        for (Upcalls.Frame frame : upcalls) {
            if (frame.target.address() == address) {
                return true;
            }
        }
        return false;
    }
}
