package org.cpylock.port;

/**
 * One thread's state: the parts of CPython's {@code PyThreadState} the lock
 * primitives use, whether it is attached and the pointer to its innermost
 * critical section, with the detach and attach steps of
 * {@code Python/pystate.c}.
 */
final class ThreadState {
    /*
     * Implementation notes: PyThreadState.critical_section is a tagged
     * pointer: the innermost PyCriticalSection, with bit 0x1
     * (_Py_CRITICAL_SECTION_INACTIVE) when it is suspended and bit 0x2
     * (_Py_CRITICAL_SECTION_TWO_MUTEXES) when it is a PyCriticalSection2;
     * each section's _cs_prev is a tagged pointer to the one before. Java has
     * no tagged references, so each tagged pointer is a pair of fields: the
     * section (null for C's 0) and its tag bits (csTop/csTopBits here,
     * prev/prevBits in CriticalSection). The state is only touched by its own
     * thread.
     *
     * detach() is detach_thread (Python/pystate.c, line 2127): if the thread
     * has a critical section, _PyCriticalSection_SuspendAll, then the state
     * becomes detached. attach() is the end of _PyThreadState_Attach (line
     * 2074): the state becomes attached, then, if the thread has a critical
     * section, _PyCriticalSection_Resume. Resuming locks mutexes and may park
     * with detach, which nests one more detach/attach pair inside attach(),
     * exactly as in CPython. In the default build nothing is ever pushed, so
     * both reduce to the attached flag (the GIL itself has no counterpart).
     */

    /** {@code _Py_CRITICAL_SECTION_INACTIVE} ({@code Include/internal/pycore_critical_section.h}). */
    static final int INACTIVE = 0x1;
    /** {@code _Py_CRITICAL_SECTION_TWO_MUTEXES} ({@code Include/internal/pycore_critical_section.h}). */
    static final int TWO_MUTEXES = 0x2;

    private final Thread thread = Thread.currentThread();
    private final ThreadRecords records = new ThreadRecords();
    private boolean attached = true;
    /** Whether an unpark callback runs on this thread, under a bucket lock. */
    private boolean inUnparkCallback;

    /** {@code critical_section}: the innermost section (null for none) ... */
    CriticalSection csTop;
    /** ... and its tag bits. */
    int csTopBits;

    /** The thread this state belongs to. */
    Thread thread() {
        return thread;
    }

    /** The port's records of this thread's use of the primitives. */
    ThreadRecords records() {
        return records;
    }

    /** Whether the state is attached ({@code state == _Py_THREAD_ATTACHED}). */
    boolean isAttached() {
        return attached;
    }

    /** {@code detach_thread} ({@code Python/pystate.c}), as {@code PyEval_ReleaseThread} calls it. */
    void detach() {
        if (csTop != null) {
            CriticalSections.suspendAll(this);
        }
        attached = false;
    }

    /** {@code _PyThreadState_Attach} ({@code Python/pystate.c}), as {@code PyEval_AcquireThread} calls it. */
    void attach() {
        attached = true;
        if (csTop != null) {
            CriticalSections.resume(this);
        }
    }

    /** Points {@code critical_section} at {@code section} with tag {@code bits}. */
    void setCriticalSection(CriticalSection section, int bits) {
        csTop = section;
        csTopBits = section == null ? 0 : bits;
    }

    /**
     * Refuses to detach if a mutex of an active critical section is not
     * locked (it was unlocked outside the section): suspending would unlock
     * it again, where CPython aborts. Checked before anything changes.
     */
    void requireSuspendable(String what) {
        if (!sectionsSuspendable()) {
            throw notSuspendable(what);
        }
    }

    /** Whether every mutex of the active sections, which a suspension would unlock, is locked. */
    boolean sectionsSuspendable() {
        CriticalSection section = csTop;
        int bits = csTopBits;
        while (section != null && (bits & INACTIVE) == 0) {
            if (!section.holdsItsMutexes(bits)) {
                return false;
            }
            bits = section.prevBits;
            section = section.prev;
        }
        return true;
    }

    static IllegalStateException notSuspendable(String what) {
        return new IllegalStateException(what + ": a mutex of one of this thread's critical sections was"
                + " unlocked outside the section, so the sections cannot be suspended");
    }

    /** Marks the start or end of an unpark callback on this thread. */
    void inUnparkCallback(boolean inside) {
        inUnparkCallback = inside;
    }

    /** Refuses parking-lot calls from an unpark callback, which runs under a bucket lock. */
    void requireNotInUnparkCallback(String what) {
        if (inUnparkCallback) {
            throw new IllegalStateException("ParkingLot." + what + ": called from an unpark callback, which runs"
                    + " under a bucket lock");
        }
    }
}
