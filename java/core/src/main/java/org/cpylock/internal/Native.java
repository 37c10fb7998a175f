package org.cpylock.internal;

import org.cpylock.internal.ffi.CPyLock;
import org.cpylock.internal.ffi.CPyLockBundled;
import org.cpylock.internal.ffi.CPyLockInterpreter;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * The downcalls the facade makes, one static method per native function,
 * named after it. Each passes its arguments straight to the binding jextract
 * generated ({@link CPyLock}); the method handles behind those bindings are
 * {@code static final}, so calls inline to a plain downcall.
 *
 * <p>Pointer arguments are segments, never raw addresses: the linker keeps a
 * segment's memory alive for the duration of the call, so memory cannot be
 * freed (or an arena closed) while a thread waits inside the library.
 *
 * <p>Every call that synchronizes (takes or releases a lock, waits or wakes)
 * is bracketed by Java memory fences: a release fence before it and an
 * acquire fence after it (the {@code fenced} shapes below: each call is a
 * lambda, inlined with the shape). In C these calls are full
 * barriers (CPython's atomics are sequentially consistent), but the Java
 * memory model knows only Java actions; the fences order the caller's Java
 * reads and writes with the call, as they would be around a Java lock.
 */
public final class Native {
    private Native() {
    }

    /** A synchronizing call with no result, between a release fence and an acquire fence. */
    private static void fenced(Runnable call) {
        VarHandle.releaseFence();
        call.run();
        VarHandle.acquireFence();
    }

    /** A synchronizing call with an int result, between a release fence and an acquire fence. */
    private static int fenced(IntSupplier call) {
        VarHandle.releaseFence();
        int result = call.getAsInt();
        VarHandle.acquireFence();
        return result;
    }

    /** A synchronizing call tested for its outcome, between a release fence and an acquire fence. */
    private static boolean fenced(BooleanSupplier call) {
        VarHandle.releaseFence();
        boolean result = call.getAsBoolean();
        VarHandle.acquireFence();
        return result;
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

    /** {@code cpylock_thread_detach}: false if the critical sections could not be suspended. */
    static boolean threadDetach(MemorySegment thread) {
        return fenced(() -> CPyLock.cpylock_thread_detach(thread) == 0);
    }

    static void threadAttach(MemorySegment thread) {
        fenced(() -> CPyLock.cpylock_thread_attach(thread));
    }

    static long threadCriticalSection(MemorySegment thread) {
        return CPyLock.cpylock_thread_critical_section(thread);
    }

    /**
     * {@code cpylock_thread_attach_deferred}: attaches without resuming the
     * innermost critical section; true if it is suspended.
     */
    static boolean threadAttachDeferred(MemorySegment thread) {
        return fenced(() -> CPyLockBundled.cpylock_thread_attach_deferred(thread) != 0);
    }

    // ---- interrupts (native/src/interrupts.c) ----

    /** {@code cpylock_interrupts_install}: the wake-up signal's number, or -1. */
    static int interruptsInstall(int signal) {
        return CPyLock.cpylock_interrupts_install(signal);
    }

    /** {@code cpylock_thread_interrupt}: marks the thread interrupted and wakes its interruptible wait. */
    static void threadInterrupt(MemorySegment thread) {
        CPyLock.cpylock_thread_interrupt(thread);
    }

    /** {@code cpylock_interrupts_stray}: wake-up signals delivered outside a park's semaphore wait (never, by design). */
    public static int interruptsStray() {
        return CPyLock.cpylock_interrupts_stray();
    }

    // ---- atomics (Include/cpython/pyatomic.h) ----

    /** {@code _Py_atomic_compare_exchange_uint8} on the first byte of {@code word}. */
    static boolean compareExchangeUint8(MemorySegment word, int expected, int desired) {
        return fenced(() -> CPyLock.cpylock_Py_atomic_compare_exchange_uint8(word, (byte) expected, (byte) desired) != 0);
    }

    // ---- PyMutex (Python/lock.c, Include/internal/pycore_lock.h) ----

    /**
     * {@code _PyMutex_LockTimed} with the thread state bound; returns a
     * {@code PyLockStatus}. With {@code _PY_LOCK_HANDLE_SIGNALS} the wait is
     * interruptible: run it through {@link Interrupts#waitInterruptibly}.
     */
    public static int mutexLockTimed(MemorySegment thread, MemorySegment mutex, long timeoutNs, int flags) {
        return fenced(() -> CPyLock.cpylock_PyMutex_LockTimed(thread, mutex, timeoutNs, flags));
    }

    /**
     * The static-inline {@code PyMutex_Lock} as a plain downcall (its fast
     * path in C): what the facade's Java fast path replaces, for benchmarks.
     */
    public static void mutexLockDowncall(MemorySegment thread, MemorySegment mutex) {
        CPyLock.cpylock_PyMutex_Lock(thread, mutex);
    }

    /**
     * The static-inline {@code PyMutex_Unlock} as a plain downcall; aborts the
     * process if the mutex is not locked (benchmarks only).
     */
    public static void mutexUnlockDowncall(MemorySegment mutex) {
        CPyLock.cpylock_PyMutex_Unlock(mutex);
    }

    /**
     * The static-inline {@code PyMutex_Unlock}'s compare-and-set, then
     * {@code _PyMutex_TryUnlock} ({@code cpylock_PyMutex_UnlockChecked}):
     * 0, or -1 if the mutex is not locked.
     */
    public static int mutexUnlockChecked(MemorySegment mutex) {
        return fenced(() -> CPyLock.cpylock_PyMutex_UnlockChecked(mutex));
    }

    // ---- PyEvent (Python/lock.c) ----

    /** {@code _PyEvent_Notify}. */
    public static void eventNotify(MemorySegment event) {
        fenced(() -> CPyLock.cpylock_PyEvent_Notify(event));
    }

    /** {@code PyEvent_WaitTimed} with the thread state bound: whether the event is set. */
    public static boolean eventWaitTimed(MemorySegment thread, MemorySegment event, long timeoutNs, boolean detach) {
        return fenced(() -> CPyLock.cpylock_PyEvent_WaitTimed(thread, event, timeoutNs, detach ? 1 : 0) != 0);
    }

    // ---- _PyRawMutex (Python/lock.c, Include/internal/pycore_lock.h) ----

    /** The static-inline {@code _PyRawMutex_Lock}: a compare-and-set, then {@code _PyRawMutex_LockSlow}. */
    public static void rawMutexLock(MemorySegment mutex) {
        fenced(() -> CPyLock.cpylock_PyRawMutex_Lock(mutex));
    }

    /**
     * The static-inline {@code _PyRawMutex_Unlock}: a compare-and-set, then
     * {@code _PyRawMutex_UnlockSlow}, which aborts the process if the mutex is not locked.
     */
    public static void rawMutexUnlock(MemorySegment mutex) {
        fenced(() -> CPyLock.cpylock_PyRawMutex_Unlock(mutex));
    }

    // ---- _PyRWMutex (Python/lock.c) ----

    /** {@code _PyRWMutex_RLock} with the thread state bound. */
    public static void rwMutexRLock(MemorySegment thread, MemorySegment rw) {
        fenced(() -> CPyLock.cpylock_PyRWMutex_RLock(thread, rw));
    }

    /** {@code _PyRWMutex_Lock} with the thread state bound. */
    public static void rwMutexLock(MemorySegment thread, MemorySegment rw) {
        fenced(() -> CPyLock.cpylock_PyRWMutex_Lock(thread, rw));
    }

    /** {@code _PyRWMutex_RUnlock}. */
    public static void rwMutexRUnlock(MemorySegment rw) {
        fenced(() -> CPyLock.cpylock_PyRWMutex_RUnlock(rw));
    }

    /** {@code _PyRWMutex_Unlock}. */
    public static void rwMutexUnlock(MemorySegment rw) {
        fenced(() -> CPyLock.cpylock_PyRWMutex_Unlock(rw));
    }

    // ---- _PyRecursiveMutex (Python/lock.c) ----

    /** {@code _PyRecursiveMutex_Lock}, owner: the bound thread. */
    public static void recursiveMutexLock(MemorySegment thread, MemorySegment mutex) {
        fenced(() -> CPyLock.cpylock_PyRecursiveMutex_Lock(thread, mutex));
    }

    /** {@code _PyRecursiveMutex_Unlock}: aborts the process unless the bound thread owns the mutex. */
    public static void recursiveMutexUnlock(MemorySegment thread, MemorySegment mutex) {
        fenced(() -> CPyLock.cpylock_PyRecursiveMutex_Unlock(thread, mutex));
    }

    /** {@code _PyRecursiveMutex_IsLockedByCurrentThread} for the bound thread. */
    public static boolean recursiveMutexIsLockedByCurrentThread(MemorySegment thread, MemorySegment mutex) {
        return fenced(() -> CPyLock.cpylock_PyRecursiveMutex_IsLockedByCurrentThread(thread, mutex) != 0);
    }

    // ---- _PySeqLock (Python/lock.c) ----

    /** {@code _PySeqLock_LockWrite}. */
    public static void seqLockLockWrite(MemorySegment seqlock) {
        fenced(() -> CPyLock.cpylock_PySeqLock_LockWrite(seqlock));
    }

    /** {@code _PySeqLock_UnlockWrite}. */
    public static void seqLockUnlockWrite(MemorySegment seqlock) {
        fenced(() -> CPyLock.cpylock_PySeqLock_UnlockWrite(seqlock));
    }

    /** {@code _PySeqLock_AbandonWrite}. */
    public static void seqLockAbandonWrite(MemorySegment seqlock) {
        fenced(() -> CPyLock.cpylock_PySeqLock_AbandonWrite(seqlock));
    }

    /** {@code _PySeqLock_BeginRead}. */
    public static int seqLockBeginRead(MemorySegment seqlock) {
        return fenced(() -> CPyLock.cpylock_PySeqLock_BeginRead(seqlock));
    }

    /** {@code _PySeqLock_EndRead}. */
    public static boolean seqLockEndRead(MemorySegment seqlock, int previous) {
        return fenced(() -> CPyLock.cpylock_PySeqLock_EndRead(seqlock, previous) != 0);
    }

    /** {@code _PySeqLock_AfterFork}. */
    public static boolean seqLockAfterFork(MemorySegment seqlock) {
        return fenced(() -> CPyLock.cpylock_PySeqLock_AfterFork(seqlock) != 0);
    }

    // ---- _PyOnceFlag (Python/lock.c, Include/internal/pycore_lock.h) ----

    /** {@code _PyOnceFlag_CallOnce} with the thread state bound: 0, or -1 if {@code fn} failed. */
    static int onceFlagCallOnce(MemorySegment thread, MemorySegment flag, MemorySegment fn, MemorySegment arg) {
        return fenced(() -> CPyLock.cpylock_PyOnceFlag_CallOnce(thread, flag, fn, arg));
    }

    // ---- parking lot (Python/parking_lot.c) ----

    /** {@code _PyParkingLot_Park} with the thread state bound (interruptibly, see {@link Interrupts}); returns a {@code Py_PARK_*} code. */
    static int parkingLotPark(MemorySegment thread, MemorySegment address, long expected, long size,
                              long timeoutNs, MemorySegment parkArg, boolean detach, boolean interruptible) {
        return fenced(() -> CPyLock.cpylock_PyParkingLot_Park(thread, address, expected, size, timeoutNs, parkArg,
                    detach ? 1 : 0, interruptible ? 1 : 0));
    }

    /** {@code _PyParkingLot_Unpark}. */
    static void parkingLotUnpark(MemorySegment address, MemorySegment fn, MemorySegment arg) {
        fenced(() -> CPyLock.cpylock_PyParkingLot_Unpark(address, fn, arg));
    }

    /** {@code _PyParkingLot_UnparkAll}. */
    public static void parkingLotUnparkAll(MemorySegment address) {
        fenced(() -> CPyLock.cpylock_PyParkingLot_UnparkAll(address));
    }

    // ---- critical sections (Include/internal/pycore_critical_section.h) ----

    /** {@code _PyCriticalSection_BeginMutex} with the thread state bound. */
    static void criticalSectionBegin(MemorySegment thread, MemorySegment section, MemorySegment mutex) {
        fenced(() -> CPyLock.cpylock_PyCriticalSection_BeginMutex(thread, section, mutex));
    }

    /** {@code _PyCriticalSection2_BeginMutex} with the thread state bound. */
    static void criticalSection2Begin(MemorySegment thread, MemorySegment section, MemorySegment m1,
                                      MemorySegment m2) {
        fenced(() -> CPyLock.cpylock_PyCriticalSection2_BeginMutex(thread, section, m1, m2));
    }

    /** {@code cpylock_interpreter_begin_if_free}: true if begun, false with nothing done. */
    static boolean criticalSectionBeginIfFree(MemorySegment thread, MemorySegment section, MemorySegment mutex) {
        return fenced(() -> CPyLockInterpreter.cpylock_interpreter_begin_if_free(thread, section, mutex) != 0);
    }

    /** {@code cpylock_interpreter_begin2_if_free}: true if begun, false with nothing done. */
    static boolean criticalSection2BeginIfFree(MemorySegment thread, MemorySegment section, MemorySegment m1,
                                               MemorySegment m2) {
        return fenced(() -> CPyLockInterpreter.cpylock_interpreter_begin2_if_free(thread, section, m1, m2) != 0);
    }

    /** {@code _PyCriticalSection_End}, checked: -1, with nothing changed, if the mutex is not locked. */
    static int criticalSectionEndChecked(MemorySegment thread, MemorySegment section) {
        return fenced(() -> CPyLock.cpylock_PyCriticalSection_EndChecked(thread, section));
    }

    /** {@code _PyCriticalSection2_End}, checked: -1, with nothing changed, if a mutex is not locked. */
    static int criticalSection2EndChecked(MemorySegment thread, MemorySegment section) {
        return fenced(() -> CPyLock.cpylock_PyCriticalSection2_EndChecked(thread, section));
    }

    /** {@code cpylock_PyCriticalSection_BeginMutexOrPush}: true if begun; false if pushed, its mutex to lock. */
    static boolean criticalSectionBeginOrPush(MemorySegment thread, MemorySegment section, MemorySegment mutex) {
        return fenced(() -> CPyLockBundled.cpylock_PyCriticalSection_BeginMutexOrPush(thread, section, mutex) != 0);
    }

    /** {@code cpylock_PyCriticalSection2_BeginMutexOrPush}: 1 begun, 0 both mutexes to lock, 2 the second only. */
    static int criticalSection2BeginOrPush(MemorySegment thread, MemorySegment section, MemorySegment first,
                                           MemorySegment second, MemorySegment mutexes) {
        return fenced(() -> CPyLockBundled.cpylock_PyCriticalSection2_BeginMutexOrPush(thread, section, first, second,
                mutexes));
    }

    /** {@code cpylock_critical_section_resume_take}: the innermost section's mutexes, taken out of it. */
    static void criticalSectionResumeTake(MemorySegment thread, MemorySegment mutexes) {
        fenced(() -> CPyLockBundled.cpylock_critical_section_resume_take(thread, mutexes));
    }

    /** {@code cpylock_critical_section_resume_put}: the mutexes put back, the section active. */
    static void criticalSectionResumePut(MemorySegment thread, MemorySegment mutexes) {
        fenced(() -> CPyLockBundled.cpylock_critical_section_resume_put(thread, mutexes));
    }

    /** {@code cpylock_PyCriticalSection[2]_EndCheckedDeferred}: -1 refused, 1 the next section to resume, 0 done. */
    static int criticalSectionEndCheckedDeferred(MemorySegment thread, MemorySegment section, boolean twoMutexes) {
        return fenced(() -> twoMutexes ? CPyLockBundled.cpylock_PyCriticalSection2_EndCheckedDeferred(thread, section)
                : CPyLockBundled.cpylock_PyCriticalSection_EndCheckedDeferred(thread, section));
    }

    // ---- waiter slots (native/src/split_park.c) ----

    /** {@code cpylock_park_bucket_lock}: the address of the {@code _PyRawMutex} of {@code address}'s bucket. */
    static long waiterBucketLock(MemorySegment address) {
        return CPyLockBundled.cpylock_park_bucket_lock(address).address();
    }

    /** {@code cpylock_park_begin_locked}: {@code Py_PARK_AGAIN}, or {@code Py_PARK_OK} with the slot queued; unlocks the bucket. */
    static int waiterParkBeginLocked(MemorySegment waiter, MemorySegment address, long expected, int size,
                                     MemorySegment parkArg) {
        return fenced(() -> CPyLockBundled.cpylock_park_begin_locked(waiter, address, expected, size, parkArg));
    }

    /** {@code cpylock_park_cancel_locked}: true if an unparker has the slot already (a post follows); unlocks the bucket. */
    static boolean waiterParkCancelLocked(MemorySegment waiter) {
        return fenced(() -> CPyLockBundled.cpylock_park_cancel_locked(waiter) != 0);
    }

    /** {@code sizeof(PyCriticalSection2)}, 0 in the default flavour. */
    static long criticalSection2Size() {
        return CPyLock.cpylock_sizeof_PyCriticalSection2();
    }
}
