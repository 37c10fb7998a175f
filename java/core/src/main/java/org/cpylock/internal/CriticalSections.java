package org.cpylock.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The waits of CPython's critical sections ({@code Python/critical_section.c},
 * {@code Include/internal/pycore_critical_section.h}) for a thread that
 * {@linkplain ThreadState#waitsInJava() waits in Java}: the library makes
 * every other step ({@code native/src/cpylock_bundled.h}), and the thread
 * locks the sections' mutexes with {@link LockC#mutexLock}, between those
 * steps, where C would call {@code PyMutex_Lock}.
 */
public final class CriticalSections {
    private CriticalSections() {
    }

    /**
     * {@code _PyCriticalSection_BeginMutex}, whose {@code _PyCriticalSection_BeginSlow}
     * pushes the section, locks the mutex, then puts it in the section.
     */
    public static void begin(ThreadState thread, MemorySegment section, MemorySegment mutex) {
        if (!Native.criticalSectionBeginOrPush(thread.segment(), section, mutex)) {
            LockC.mutexLock(thread, pyMutexAt(mutex.address()));
            put(thread, mutex.address(), 0);
        }
    }

    /**
     * {@code _PyCriticalSection2_BeginMutex}, whose
     * {@code _PyCriticalSection2_BeginSlow} pushes the section, locks the
     * mutexes not yet locked in address order, then puts them in the section.
     */
    public static void begin(ThreadState thread, MemorySegment section, MemorySegment first, MemorySegment second) {
        MemorySegment mutexes = thread.sectionMutexes();
        int begun = Native.criticalSection2BeginOrPush(thread.segment(), section, first, second, mutexes);
        if (begun == 1) {
            return;
        }
        long m1 = mutexes.getAtIndex(ValueLayout.ADDRESS, 0).address();
        long m2 = mutexes.getAtIndex(ValueLayout.ADDRESS, 1).address();
        if (begun == 0) {
            LockC.mutexLock(thread, pyMutexAt(m1));
        }
        if (m2 != 0) {
            LockC.mutexLock(thread, pyMutexAt(m2));
        }
        put(thread, m1, m2);
    }

    /**
     * {@code _PyCriticalSection_Resume}: takes the innermost section's mutexes
     * out of it, locks them, and puts them back, the section active again.
     */
    static void resume(ThreadState thread) {
        MemorySegment mutexes = thread.sectionMutexes();
        Native.criticalSectionResumeTake(thread.segment(), mutexes);
        long m1 = mutexes.getAtIndex(ValueLayout.ADDRESS, 0).address();
        long m2 = mutexes.getAtIndex(ValueLayout.ADDRESS, 1).address();
        // The locks may wait, and a wait's own attach may use the same memory.
        if (m1 != 0) {
            LockC.mutexLock(thread, pyMutexAt(m1));
        }
        if (m2 != 0) {
            LockC.mutexLock(thread, pyMutexAt(m2));
        }
        put(thread, m1, m2);
    }

    /**
     * {@code _PyCriticalSection_End} or {@code _PyCriticalSection2_End},
     * checked, whose {@code _PyCriticalSection_Pop} resumes the section below
     * if it is suspended.
     *
     * @return false, with nothing changed, if a mutex of the section is not locked
     */
    public static boolean end(ThreadState thread, MemorySegment section, boolean twoMutexes) {
        int ended = Native.criticalSectionEndCheckedDeferred(thread.segment(), section, twoMutexes);
        if (ended < 0) {
            return false;
        }
        if (ended == 1) {
            resume(thread);
        }
        return true;
    }

    private static void put(ThreadState thread, long m1, long m2) {
        MemorySegment mutexes = thread.sectionMutexes();
        mutexes.setAtIndex(ValueLayout.JAVA_LONG, 0, m1);
        mutexes.setAtIndex(ValueLayout.JAVA_LONG, 1, m2);
        Native.criticalSectionResumePut(thread.segment(), mutexes);
    }

    /** The {@code PyMutex} whose state byte is at {@code address}, whose compare-and-set is made in C. */
    private static StateWord pyMutexAt(long address) {
        MemorySegment bits = MemorySegment.ofAddress(address).reinterpret(1);
        ByteStateWord.InSegment word = ByteStateWord.InSegment.of(bits, 0);
        return new StateWord() {
            @Override
            public long getVolatile() {
                return word.getVolatile();
            }

            @Override
            public boolean compareAndSet(long expected, long desired) {
                return word.compareAndSet((int) expected, (int) desired);
            }

            @Override
            public MemorySegment segment() {
                return bits;
            }

            @Override
            public int size() {
                return 1;
            }
        };
    }
}
