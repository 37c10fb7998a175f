package org.cpylock.internal;

import org.cpylock.internal.ffi.CPyLock;

import java.lang.foreign.MemorySegment;

/**
 * The downcalls the facade makes, one static method per native function,
 * named after it. Each passes its arguments straight to the binding jextract
 * generated ({@link CPyLock}); the method handles behind those bindings are
 * {@code static final}, so calls inline to a plain downcall.
 *
 * <p>Pointer arguments are segments, never raw addresses: the linker keeps a
 * segment's memory alive for the duration of the call, so memory cannot be
 * freed (or an arena closed) while a thread waits inside the library.
 */
public final class Native {
    private Native() {
    }

    // ---- identity of the build (native/src/exports.c) ----

    /** {@code cpylock_python_version}: {@code PY_VERSION} of the compiled sources. */
    static String pythonVersion() {
        return CPyLock.cpylock_python_version().reinterpret(Long.MAX_VALUE).getString(0);
    }

    /** {@code cpylock_gil_disabled}: whether the library is the free-threaded flavour. */
    static boolean gilDisabled() {
        return CPyLock.cpylock_gil_disabled() != 0;
    }

    // ---- thread states (native/src/exports.c) ----

    static long threadSize() {
        return CPyLock.cpylock_thread_size();
    }

    static void threadInit(MemorySegment thread, long ident) {
        CPyLock.cpylock_thread_init(thread, ident);
    }

    static void threadDetach(MemorySegment thread) {
        CPyLock.cpylock_thread_detach(thread);
    }

    static void threadAttach(MemorySegment thread) {
        CPyLock.cpylock_thread_attach(thread);
    }

    static boolean threadIsAttached(MemorySegment thread) {
        return CPyLock.cpylock_thread_is_attached(thread) != 0;
    }

    static long threadCriticalSection(MemorySegment thread) {
        return CPyLock.cpylock_thread_critical_section(thread);
    }

    // ---- atomics (Include/cpython/pyatomic.h) ----

    /** {@code _Py_atomic_compare_exchange_uint8} on the first byte of {@code word}. */
    static boolean compareExchangeUint8(MemorySegment word, int expected, int desired) {
        return CPyLock.cpylock_Py_atomic_compare_exchange_uint8(word, (byte) expected, (byte) desired) != 0;
    }

    // ---- PyMutex (Python/lock.c, Include/internal/pycore_lock.h) ----

    /** {@code _PyMutex_LockTimed} with the thread state bound; returns a {@code PyLockStatus}. */
    public static int mutexLockTimed(MemorySegment thread, MemorySegment mutex, long timeoutNs, int flags) {
        return CPyLock.cpylock_PyMutex_LockTimed(thread, mutex, timeoutNs, flags);
    }

    /** {@code _PyMutex_TryUnlock}: 0, or -1 if the mutex is not locked. */
    public static int mutexTryUnlock(MemorySegment mutex) {
        return CPyLock._PyMutex_TryUnlock(mutex);
    }

    /** {@code PyMutex_LockFast}: one compare-and-swap 0 to 1 in C. */
    public static boolean mutexLockFast(MemorySegment mutex) {
        return CPyLock.cpylock_PyMutex_LockFast(mutex) != 0;
    }

    /** The {@code PyMutex_Unlock} fast path, then {@code _PyMutex_TryUnlock}: 0, or -1 if not locked. */
    public static int mutexUnlockChecked(MemorySegment mutex) {
        return CPyLock.cpylock_PyMutex_UnlockChecked(mutex);
    }

    // ---- PyEvent (Python/lock.c) ----

    /** {@code _PyEvent_Notify}. */
    public static void eventNotify(MemorySegment event) {
        CPyLock._PyEvent_Notify(event);
    }

    /** {@code PyEvent_WaitTimed} with the thread state bound: whether the event is set. */
    public static boolean eventWaitTimed(MemorySegment thread, MemorySegment event, long timeoutNs, boolean detach) {
        return CPyLock.cpylock_PyEvent_WaitTimed(thread, event, timeoutNs, detach ? 1 : 0) != 0;
    }
}
