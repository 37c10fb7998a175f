package org.cpylock.port;

/**
 * One critical section: CPython's {@code PyCriticalSection} (one mutex) or
 * {@code PyCriticalSection2} (two), {@code Include/cpython/critical_section.h}.
 * Begun by {@link Port#beginCriticalSection(PyMutex)} or
 * {@link Port#beginCriticalSection(PyMutex, PyMutex)}; ended on the same
 * thread, innermost first, with {@link #end()} (or try-with-resources).
 *
 * <p>In the free-threaded build the section holds its mutexes while active
 * and releases them while suspended; in the default build it locks nothing.
 */
public final class CriticalSection implements org.cpylock.api.CriticalSection {
    /*
     * Implementation notes: the fields are the C structure's: _cs_mutex,
     * _cs_mutex2 (two-mutex sections only) and _cs_prev, the tagged pointer to
     * the section begun before, kept as prev/prevBits (see ThreadState).
     * While a section is suspended, or is waiting for a mutex in a contended
     * begin or a resume, its mutex fields may be null, as in C. The
     * algorithms are in CriticalSections. The rest is the port's record for
     * refusing misuse: the owning thread state, whether the section was begun
     * with two mutexes (so end() is _PyCriticalSection2_End), whether the
     * flavour locks, and whether it has ended.
     */

    /** {@code _cs_mutex}. */
    PyMutex mutex;
    /** {@code _cs_mutex2}. */
    PyMutex mutex2;
    /** {@code _cs_prev}: the section begun before (null for none) ... */
    CriticalSection prev;
    /** ... and its tag bits. */
    int prevBits;

    private final ThreadState owner;
    private final boolean twoMutexForm;
    private final boolean locks;
    private boolean ended;

    CriticalSection(ThreadState owner, boolean twoMutexForm, boolean locks) {
        this.owner = owner;
        this.twoMutexForm = twoMutexForm;
        this.locks = locks;
    }

    /**
     * Ends the section: unlocks its mutexes, pops it and resumes the section
     * before it if that one is suspended. {@code _PyCriticalSection_End} or
     * {@code _PyCriticalSection2_End} ({@code Include/internal/pycore_critical_section.h}),
     * with {@code _PyCriticalSection_Pop} and {@code _PyCriticalSection_Resume}
     * ({@code Python/critical_section.c}).
     *
     * @throws IllegalStateException        if the section has ended, belongs to another thread, is not the
     *                                      thread's innermost section, or the thread is detached
     *                                      (inside {@link Port#allowThreads})
     * @throws IllegalMonitorStateException if one of its mutexes was unlocked outside the section
     */
    public void end() {
        if (ended) {
            throw new IllegalStateException("CriticalSection.end: the section has already ended");
        }
        if (Thread.currentThread() != owner.thread()) {
            throw new IllegalStateException("CriticalSection.end: the section belongs to " + owner.thread()
                    + ", not to the calling thread");
        }
        if (!owner.isAttached()) {
            throw new IllegalStateException("CriticalSection.end: the thread is detached (inside allowThreads)");
        }
        if (owner.records().innermost() != this) {
            throw new IllegalStateException("CriticalSection.end: not the thread's innermost critical section;"
                    + " end the sections begun after it first");
        }
        if (locks) {
            if (!holdsItsMutexes(owner.csTopBits)) {
                throw new IllegalMonitorStateException("CriticalSection.end: a mutex of the section is not locked;"
                        + " it was unlocked outside the section");
            }
            if (twoMutexForm) {
                CriticalSections.end2(owner, this);
            } else {
                CriticalSections.end(owner, this);
            }
        }
        owner.records().closedInnermost();
        ended = true;
    }

    /**
     * Whether {@link #end()} has run: the port's record (no CPython function; C sections end with their
     * scope).
     *
     * @return true once the section has ended
     */
    public boolean isEnded() {
        return ended;
    }

    @Override
    public String toString() {
        return "CriticalSection[" + (twoMutexForm ? "two mutexes" : "one mutex") + (ended ? ", ended" : "") + "]";
    }

    /** Whether the mutexes the section names are locked ({@code bits}: the tag of the pointer to it). */
    boolean holdsItsMutexes(int bits) {
        if (mutex != null && !mutex.isLocked()) {
            return false;
        }
        return (bits & ThreadState.TWO_MUTEXES) == 0 || mutex2 == null || mutex2.isLocked();
    }
}
