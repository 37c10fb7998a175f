package org.cpylock.port;

/**
 * The algorithms of CPython's critical sections for the free-threaded build:
 * the static-inline functions of {@code Include/internal/pycore_critical_section.h}
 * and {@code Python/critical_section.c}.
 */
final class CriticalSections {
    /*
     * Implementation notes: each method is the C function of the same name,
     * on a ThreadState's critical_section pointer and the sections' _cs_prev
     * pointers (each a section plus tag bits). Begin pushes the section; a
     * contended begin pushes it with no mutex first and then locks with
     * PyMutex_Lock, which parks detached, so the thread's other sections are
     * suspended while it waits and stay suspended until the new section ends.
     * Two-mutex sections lock the lower address first; the same mutex
     * (same address) twice is a one-mutex section. End unlocks and pops;
     * popping onto a suspended section resumes it. suspendAll (called when the
     * thread detaches) walks the active sections from the innermost, unlocks
     * their mutexes and marks them inactive; resume (when it attaches, or on a
     * pop) locks the innermost section's mutexes again, having cleared its
     * fields first so that a nested detach/attach while it waits for them
     * neither unlocks nor relocks anything twice. Only used when the flavour
     * locks: in the default build these functions are not compiled in.
     */

    private CriticalSections() {
    }

    /** {@code _PyCriticalSection_BeginMutex} ({@code Include/internal/pycore_critical_section.h}). */
    static void beginMutex(ThreadState state, CriticalSection c, PyMutex m) {
        if (m.lockFast()) {
            c.mutex = m;
            push(state, c, 0);
        } else {
            beginSlow(state, c, m);
        }
    }

    /** {@code _PyCriticalSection_BeginSlow} ({@code Python/critical_section.c}, line 12). */
    static void beginSlow(ThreadState state, CriticalSection c, PyMutex m) {
        c.mutex = null;
        push(state, c, 0);
        try {
            m.lock();
        } catch (RuntimeException | Error failure) {
            state.setCriticalSection(c.prev, c.prevBits); // not a C path: the lock refused to wait
            throw failure;
        }
        c.mutex = m;
    }

    /** {@code _PyCriticalSection2_BeginMutex} ({@code Include/internal/pycore_critical_section.h}). */
    static void begin2Mutex(ThreadState state, CriticalSection c, PyMutex m1, PyMutex m2) {
        if (m1.address() == m2.address()) {
            // The same mutex twice: a one-mutex section.
            c.mutex2 = null;
            beginMutex(state, c, m1);
            return;
        }
        if (Long.compareUnsigned(m2.address(), m1.address()) < 0) {
            // Lock the lower address first, so that every thread locks a pair in the same order.
            PyMutex lower = m2;
            m2 = m1;
            m1 = lower;
        }
        if (m1.lockFast()) {
            if (m2.lockFast()) {
                c.mutex = m1;
                c.mutex2 = m2;
                push(state, c, ThreadState.TWO_MUTEXES);
            } else {
                begin2Slow(state, c, m1, m2, true);
            }
        } else {
            begin2Slow(state, c, m1, m2, false);
        }
    }

    /** {@code _PyCriticalSection2_BeginSlow} ({@code Python/critical_section.c}, line 26). */
    static void begin2Slow(ThreadState state, CriticalSection c, PyMutex m1, PyMutex m2, boolean isM1Locked) {
        c.mutex = null;
        c.mutex2 = null;
        push(state, c, ThreadState.TWO_MUTEXES);
        boolean m1Held = isM1Locked;
        try {
            if (!isM1Locked) {
                m1.lock();
                m1Held = true;
            }
            m2.lock();
        } catch (RuntimeException | Error failure) {
            if (m1Held) {
                m1.unlock(); // not a C path: the lock refused to wait
            }
            state.setCriticalSection(c.prev, c.prevBits);
            throw failure;
        }
        c.mutex = m1;
        c.mutex2 = m2;
    }

    /** {@code _PyCriticalSection_End} ({@code Include/internal/pycore_critical_section.h}). */
    static void end(ThreadState state, CriticalSection c) {
        c.mutex.unlock();
        pop(state, c);
    }

    /** {@code _PyCriticalSection2_End} ({@code Include/internal/pycore_critical_section.h}). */
    static void end2(ThreadState state, CriticalSection c) {
        if (c.mutex2 != null) {
            c.mutex2.unlock();
        }
        c.mutex.unlock();
        pop(state, c);
    }

    /** {@code _PyCriticalSection_Pop} ({@code Include/internal/pycore_critical_section.h}). */
    static void pop(ThreadState state, CriticalSection c) {
        state.setCriticalSection(c.prev, c.prevBits);
        if ((c.prevBits & ThreadState.INACTIVE) != 0) {
            resume(state);
        }
    }

    /** {@code _PyCriticalSection_SuspendAll} ({@code Python/critical_section.c}, line 55). */
    static void suspendAll(ThreadState state) {
        CriticalSection c = state.csTop;
        int bits = state.csTopBits;
        if (!isActive(c, bits)) {
            return;
        }
        release(c, bits);
        state.csTopBits = bits | ThreadState.INACTIVE;
        while (isActive(c.prev, c.prevBits)) {
            CriticalSection outer = c.prev;
            release(outer, c.prevBits);
            c.prevBits |= ThreadState.INACTIVE;
            c = outer;
        }
    }

    /** {@code _PyCriticalSection_Resume} ({@code Python/critical_section.c}, line 79). */
    static void resume(ThreadState state) {
        CriticalSection c = state.csTop;
        int p = state.csTopBits;

        PyMutex m1 = c.mutex;
        c.mutex = null;
        PyMutex m2 = null;
        if ((p & ThreadState.TWO_MUTEXES) != 0) {
            m2 = c.mutex2;
            c.mutex2 = null;
        }

        if (m1 != null) {
            m1.lock();
        }
        if (m2 != null) {
            m2.lock();
        }

        c.mutex = m1;
        if (m2 != null) {
            c.mutex2 = m2;
        }
        state.csTopBits &= ~ThreadState.INACTIVE;
    }

    /** {@code _PyCriticalSection_IsActive} ({@code Include/internal/pycore_critical_section.h}) on a split tag. */
    private static boolean isActive(CriticalSection section, int bits) {
        return section != null && (bits & ThreadState.INACTIVE) == 0;
    }

    /** The pushing steps of a begin: {@code c->_cs_prev = tstate->critical_section}, then point at {@code c}. */
    private static void push(ThreadState state, CriticalSection c, int bits) {
        c.prev = state.csTop;
        c.prevBits = state.csTopBits;
        state.setCriticalSection(c, bits);
    }

    /** The unlocking steps of SuspendAll for one section ({@code bits}: the tag of the pointer to it). */
    private static void release(CriticalSection c, int bits) {
        if (c.mutex != null) {
            c.mutex.unlock();
            if ((bits & ThreadState.TWO_MUTEXES) != 0 && c.mutex2 != null) {
                c.mutex2.unlock();
            }
        }
    }
}
