package org.cpylock.internal;

import java.lang.foreign.MemorySegment;

/** The native side of the facade's critical sections, for the calling thread. */
public final class CriticalSections {
    /** {@code _Py_CRITICAL_SECTION_MASK} ({@code Include/internal/pycore_critical_section.h}): the tag bits. */
    static final long TAG_MASK = 0x3;

    private CriticalSections() {
    }

    /** {@code _PyCriticalSection_BeginMutex(structure, mutex)} on the thread's state. */
    public static void begin(ThreadState thread, MemorySegment structure, MemorySegment mutex) {
        Native.criticalSectionBegin(thread.segment(), structure, mutex);
    }

    /** {@code _PyCriticalSection2_BeginMutex(structure, first, second)} on the thread's state. */
    public static void begin2(ThreadState thread, MemorySegment structure, MemorySegment first,
                              MemorySegment second) {
        Native.criticalSection2Begin(thread.segment(), structure, first, second);
    }

    /**
     * {@code _PyCriticalSection_End} or {@code _PyCriticalSection2_End} of the
     * structure, checked: false, with nothing changed, if a mutex it should
     * hold is not locked.
     */
    public static boolean end(ThreadState thread, MemorySegment structure, boolean twoMutexes) {
        int result = twoMutexes
                ? Native.criticalSection2EndChecked(thread.segment(), structure)
                : Native.criticalSectionEndChecked(thread.segment(), structure);
        return result == 0;
    }

    /** The address of the structure {@code PyThreadState.critical_section} points at (tags removed), or 0. */
    public static long innermost(ThreadState thread) {
        return thread.criticalSectionTag() & ~TAG_MASK;
    }
}
