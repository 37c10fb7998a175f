package org.cpylock;

import org.cpylock.api.Flavour;
import org.cpylock.api.LockFlag;
import org.cpylock.internal.CriticalSectionStack;
import org.cpylock.internal.CriticalSections;
import org.cpylock.internal.NativeLibrary;
import org.cpylock.internal.ThreadState;
import org.cpylock.internal.waits.Waits;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * CPython's critical sections ({@code Include/cpython/critical_section.h},
 * {@code Include/internal/pycore_critical_section.h},
 * {@code Python/critical_section.c}): per-object locking that cannot deadlock
 * through nesting, as free-threaded CPython uses it instead of the GIL.
 *
 * <h2>State</h2>
 * Each thread keeps a stack of its critical sections in
 * {@code PyThreadState.critical_section}: a tagged pointer to the innermost
 * {@code PyCriticalSection} (one mutex) or {@code PyCriticalSection2} (two),
 * each linking to the previous through {@code _cs_prev}. Tag bits:
 * <pre>
 *   0x1  _Py_CRITICAL_SECTION_INACTIVE      the section is suspended
 *   0x2  _Py_CRITICAL_SECTION_TWO_MUTEXES   it is a PyCriticalSection2
 * </pre>
 * Beginning a section locks its mutex (the two-mutex form locks the lower
 * address first; the same mutex twice counts once). When the thread would
 * block (waiting with {@link LockFlag#DETACH}, {@link CPython#allowThreads},
 * or a contended begin), it detaches: every active section is suspended,
 * unlocking its mutexes. When it attaches again, the innermost section is
 * resumed (its mutexes locked again); outer sections stay suspended until the
 * sections above them end. So nesting never holds more than the innermost
 * section's mutexes while waiting, and beginning a section on a mutex an
 * outer section holds does not deadlock.
 *
 * <h2>Flavours</h2>
 * In the free-threaded flavour all of the above happens. In the default
 * flavour, as in CPython's default build, critical sections do nothing: no
 * mutex is locked and nothing is pushed ({@link #top()} is null). In both,
 * the facade keeps its own record of the thread's sections and refuses to end
 * one out of order.
 *
 * <p>A section belongs to the thread that began it; end it on that thread,
 * innermost first, ideally with try-with-resources.
 */
public final class CriticalSection implements org.cpylock.api.CriticalSection {
    private final Thread owner;
    private final MemorySegment structure;
    private final PyMutex first;
    private final PyMutex second;
    private boolean ended;

    private CriticalSection(Thread owner, MemorySegment structure, PyMutex first, PyMutex second) {
        this.owner = owner;
        this.structure = structure;
        this.first = first;
        this.second = second;
    }

    /**
     * Begins a critical section on one mutex and pushes it on the calling
     * thread's stack. {@code _PyCriticalSection_BeginMutex}
     * ({@code Include/internal/pycore_critical_section.h}), which calls
     * {@code _PyCriticalSection_BeginSlow} ({@code Python/critical_section.c})
     * when the mutex is not free.
     *
     * @param mutex the mutex the section locks
     * @return the section, begun; end it on this thread
     * @throws IllegalStateException inside {@link CPython#allowThreads} (the thread is detached),
     *         or on a virtual thread when bound to a free-threaded interpreter
     */
    public static CriticalSection begin(PyMutex mutex) {
        Objects.requireNonNull(mutex, "mutex");
        return beginOn(mutex, null);
    }

    /**
     * Begins a critical section on two mutexes (one, if both are the same)
     * and pushes it on the calling thread's stack.
     * {@code _PyCriticalSection2_BeginMutex}
     * ({@code Include/internal/pycore_critical_section.h}), which calls
     * {@code _PyCriticalSection2_BeginSlow} ({@code Python/critical_section.c})
     * when a mutex is not free.
     *
     * @param first  one mutex the section locks
     * @param second the other mutex, or {@code first} again
     * @return the section, begun; end it on this thread
     * @throws IllegalStateException inside {@link CPython#allowThreads} (the thread is detached),
     *         or on a virtual thread when bound to a free-threaded interpreter
     */
    public static CriticalSection begin(PyMutex first, PyMutex second) {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
        return beginOn(first, second);
    }

    /**
     * Begins the section of {@code first}, and of {@code second} unless it is
     * null. Bound to an interpreter, a thread whose sections cannot be
     * suspended begins one only on free mutexes: the begin that has to wait
     * would suspend them.
     */
    private static CriticalSection beginOn(PyMutex first, PyMutex second) {
        ThreadState thread = attachedThread("begin");
        CriticalSectionStack stack = thread.criticalSections();
        CriticalSection section = new CriticalSection(Thread.currentThread(), stack.nextSlot(), first, second);
        MemorySegment m1 = first.segment();
        MemorySegment m2 = second == null ? null : second.segment();
        if (!thread.detachable()) {
            if (!(m2 == null ? thread.beginCriticalSectionIfFree(section.structure, m1)
                    : thread.beginCriticalSectionIfFree(section.structure, m1, m2))) {
                throw ThreadState.notDetachable("CriticalSection.begin");
            }
        } else {
            Waits.Token wait = contended(first, second);
            if (ThreadState.waitsInJava()) {
                if (m2 == null) {
                    CriticalSections.begin(thread, section.structure, m1);
                } else {
                    CriticalSections.begin(thread, section.structure, m1, m2);
                }
            } else if (m2 == null) {
                thread.beginCriticalSection(section.structure, m1);
            } else {
                thread.beginCriticalSection(section.structure, m1, m2);
            }
            endWait(wait);
        }
        stack.push(section);
        return section;
    }

    /**
     * Ends this critical section: unlocks its mutexes, pops it, and resumes
     * the next one if it was suspended. {@code _PyCriticalSection_End} or
     * {@code _PyCriticalSection2_End}
     * ({@code Include/internal/pycore_critical_section.h}), which may call
     * {@code _PyCriticalSection_Resume} ({@code Python/critical_section.c}).
     *
     * @throws IllegalStateException        if it has ended already, belongs to another thread,
     *                                      is not the thread's innermost section, or the thread
     *                                      is inside {@link CPython#allowThreads}
     * @throws IllegalMonitorStateException if one of its mutexes was unlocked by other means
     *                                      (free-threaded flavour)
     */
    public void end() {
        if (ended) {
            throw new IllegalStateException("CriticalSection.end: the critical section has already ended");
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("CriticalSection.end: the critical section belongs to " + owner
                    + ", not to the calling thread");
        }
        ThreadState thread = attachedThread("end");
        CriticalSectionStack stack = thread.criticalSections();
        if (stack.top() != this) {
            throw new IllegalStateException("CriticalSection.end: not the innermost critical section of the thread"
                    + " (end the " + (stack.depth() - depth(stack)) + " begun after it first)");
        }
        if (!(ThreadState.waitsInJava() ? CriticalSections.end(thread, structure, second != null)
                : thread.endCriticalSection(structure, second != null))) {
            throw new IllegalMonitorStateException("CriticalSection.end: a mutex of the critical section is not locked;"
                    + " it was unlocked outside the section");
        }
        stack.pop();
        ended = true;
    }

    /**
     * The calling thread's innermost critical section, as
     * {@code PyThreadState.critical_section} ({@code Include/cpython/pystate.h})
     * points to it, or null. Always null in the default
     * flavour, where CPython pushes nothing.
     *
     * @return the innermost section not yet ended, or null if the thread has none
     */
    public static CriticalSection top() {
        NativeLibrary.ensureLoaded();
        ThreadState thread = ThreadState.current();
        long innermost = thread.innermostCriticalSection();
        if (innermost == 0) {
            return null;
        }
        CriticalSection top = (CriticalSection) thread.criticalSections().top();
        if (top == null || top.structure.address() != innermost) {
            throw new IllegalStateException("CriticalSection.top: the thread state points at 0x"
                    + Long.toHexString(innermost) + ", which is not the innermost section the facade began");
        }
        return top;
    }

    /**
     * The first mutex, as passed to {@code begin} (the section's {@code _cs_mutex} may be either, sorted by
     * address); no C call.
     *
     * @return the section's only mutex, or the first of its two
     */
    public PyMutex first() {
        return first;
    }

    /**
     * The second mutex of a two-mutex section, as passed to {@code begin}, or null; no C call.
     *
     * @return the mutex passed second to {@code begin}, or null for a one-mutex section
     */
    public PyMutex second() {
        return second;
    }

    /**
     * Whether {@link #end()} has run (the facade's record); no C call.
     *
     * @return true once {@code end} or {@code close} has ended this section without throwing
     */
    public boolean isEnded() {
        return ended;
    }

    @Override
    public String toString() {
        return "CriticalSection[" + first + (second != null ? ", " + second : "") + (ended ? ", ended" : "") + "]";
    }

    /**
     * A wait, if a mutex the section will lock is locked now (free-threaded:
     * the default flavour's sections lock nothing); else null.
     */
    private static Waits.Token contended(PyMutex first, PyMutex second) {
        PyMutex busy = first.isLocked() ? first : second != null && second.isLocked() ? second : null;
        if (busy == null || CPython.flavour() != Flavour.FREE_THREADED) {
            return null;
        }
        return Waits.begin(Wait.Primitive.CRITICAL_SECTION, busy.segment().address(), busy::bits, true, Waits.flags(true, false, false));
    }

    private static void endWait(Waits.Token wait) {
        if (wait != null) {
            Waits.end(wait, Waits.Outcome.ACQUIRED);
        }
    }

    private int depth(CriticalSectionStack stack) {
        return stack.indexOf(this) + 1;
    }

    private static ThreadState attachedThread(String method) {
        if (NativeLibrary.ensureLoaded() == Flavour.FREE_THREADED) {
            // The section lives in a thread state the interpreter keeps per OS thread.
            ThreadState.requireOsThreadIdentity("CriticalSection." + method);
        }
        ThreadState thread = ThreadState.current();
        if (!thread.isAttached()) {
            throw new IllegalStateException("CriticalSection." + method + ": the thread is detached"
                    + " (inside CPython.allowThreads)");
        }
        return thread;
    }
}
