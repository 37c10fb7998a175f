/*
 * cpylock.h: the interface of libcpylock, the native library that holds
 * CPython's Python/lock.c, Python/parking_lot.c and Python/critical_section.c.
 *
 * The library exports, besides the functions of those three files:
 *
 *   - per-thread states (cpylock_thread): the PyThreadState the three files
 *     reach through _Py_tss_tstate, plus the identity PyThread_get_thread_ident_ex
 *     reports. A caller that is not an OS thread of its own (a Java virtual
 *     thread moves between carrier threads) binds its state explicitly: every
 *     function below that takes a cpylock_thread makes it the current thread
 *     state for the duration of the call and restores the previous one after.
 *   - wrappers named cpylock_<CPython name> for the static-inline functions of
 *     CPython's headers, compiled from those headers, for the functions that
 *     depend on the calling thread's state, and for every other function of the
 *     three files the Java facade calls. The library exports these cpylock_*
 *     functions and nothing else: no name it exports is one that a libpython,
 *     or anything linked to one, also defines, so however a libpython enters
 *     the process, a lookup of these names finds this library's functions;
 *   - the sizes and offsets of every lock structure, as this build lays them
 *     out (cpylock_sizeof_* / cpylock_offsetof_*).
 *
 * The header is compiled with Py_BUILD_CORE and CPython's include directories,
 * and with Py_GIL_DISABLED for the free-threaded flavour. The bindings are
 * generated from it with Py_GIL_DISABLED defined, so that the critical-section
 * structures (which only that build defines, in cpython/critical_section.h)
 * are described too. It includes no header that pulls in CPython's
 * interpreter state (pycore_critical_section.h does), so that it stays small
 * enough for the binding generator to read.
 */
#ifndef CPYLOCK_H
#define CPYLOCK_H

#include "Python.h"
#include "pycore_lock.h"
#include "pycore_parking_lot.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- identity of the build ---------------------------------------------- */

/* PY_VERSION of the CPython sources the library was compiled from. */
const char *cpylock_python_version(void);

/* 1 if compiled with Py_GIL_DISABLED (the free-threaded flavour), else 0. */
int cpylock_gil_disabled(void);

/* ---- thread states ------------------------------------------------------- */

typedef struct cpylock_thread cpylock_thread;

/* Bytes a cpylock_thread occupies (its memory is owned by the caller and must
 * be 16-byte aligned). */
size_t cpylock_thread_size(void);

/* Initializes zeroed memory as an attached thread state whose identity is
 * `ident` (non-zero). */
void cpylock_thread_init(cpylock_thread *t, unsigned long long ident);

/* PyEval_ReleaseThread: detaches the thread, suspending its critical sections
 * (free-threaded flavour). Returns -1 if a section's mutex had been unlocked
 * outside it, in which case the sections are left as they are (CPython would
 * abort), else 0. */
int cpylock_thread_detach(cpylock_thread *t);

/* PyEval_AcquireThread: attaches the thread, resuming its top-most critical
 * section (free-threaded flavour). */
void cpylock_thread_attach(cpylock_thread *t);

/* 1 while the thread state is attached. */
int cpylock_thread_is_attached(cpylock_thread *t);

/* PyThreadState.critical_section: the tagged pointer to the innermost
 * critical section, or 0. */
uintptr_t cpylock_thread_critical_section(cpylock_thread *t);

/* ---- interrupts ------------------------------------------------------------ */
/* CPython wakes a thread from a parking-lot wait with a signal: the wait
 * returns Py_PARK_INTR, and _PyMutex_LockTimed with _PY_LOCK_HANDLE_SIGNALS
 * then asks Py_MakePendingCalls, which fails for an interrupted thread. The
 * library delivers interrupts the same way: cpylock_thread_interrupt marks the
 * thread interrupted and, if it is in an interruptible wait, sends it the
 * wake-up signal (whose handler does nothing, and does not restart the wait).
 * The signal is delivered only inside a park's semaphore wait, and no other
 * semaphore wait of the library returns early on any signal (interrupts.c). */

/* Installs the wake-up signal's handler: `signo`, or SIGRTMIN + 4 when 0.
 * Returns the signal number, or -1 if it could not be installed. */
int cpylock_interrupts_install(int signo);

/* Marks t interrupted and wakes it if it is in an interruptible wait. */
void cpylock_thread_interrupt(cpylock_thread *t);

/* How many times the wake-up signal was delivered outside the semaphore wait
 * of a park, where it is never meant to land (interrupts.c); 0 unless a
 * caller sent it by other means. */
int cpylock_interrupts_stray(void);

/* ---- atomics -------------------------------------------------------------- */

/* _Py_atomic_compare_exchange_uint8 (cpython/pyatomic.h): if *obj == expected,
 * stores desired and returns 1; else returns 0. For byte-sized state words the
 * caller cannot compare-and-set itself. */
int cpylock_Py_atomic_compare_exchange_uint8(uint8_t *obj, uint8_t expected,
                                             uint8_t desired);

/* ---- PyMutex ------------------------------------------------------------- */

/* PyMutex_LockFast (pycore_lock.h): one compare-and-swap 0 -> 1. */
int cpylock_PyMutex_LockFast(PyMutex *m);

/* PyMutex_IsLocked (pycore_lock.h). */
int cpylock_PyMutex_IsLocked(PyMutex *m);

/* PyMutex_Lock (cpython/lock.h): fast path, then PyMutex_Lock of lock.c. */
void cpylock_PyMutex_Lock(cpylock_thread *t, PyMutex *m);

/* PyMutex_Unlock (cpython/lock.h): fast path, then PyMutex_Unlock of lock.c,
 * which aborts the process if the mutex is not locked. */
void cpylock_PyMutex_Unlock(PyMutex *m);

/* The PyMutex_Unlock fast path, then _PyMutex_TryUnlock: returns -1 instead
 * of aborting when the mutex is not locked. */
int cpylock_PyMutex_UnlockChecked(PyMutex *m);

/* _PyMutex_LockTimed (lock.c) with the calling thread's state bound. With
 * _PY_LOCK_HANDLE_SIGNALS the wait is interruptible (see cpylock_thread_interrupt). */
PyLockStatus cpylock_PyMutex_LockTimed(cpylock_thread *t, PyMutex *m,
                                       PyTime_t timeout_ns, _PyLockFlags flags);

/* ---- PyEvent ------------------------------------------------------------- */

/* _PyEvent_Notify (lock.c): sets the event and wakes every waiter. */
void cpylock_PyEvent_Notify(PyEvent *evt);

/* PyEvent_WaitTimed (lock.c) with the calling thread's state bound. */
int cpylock_PyEvent_WaitTimed(cpylock_thread *t, PyEvent *evt,
                              PyTime_t timeout_ns, int detach);

/* ---- _PyOnceFlag --------------------------------------------------------- */

/* _PyOnceFlag_CallOnce (pycore_lock.h) with the calling thread's state bound. */
int cpylock_PyOnceFlag_CallOnce(cpylock_thread *t, _PyOnceFlag *flag,
                                _Py_once_fn_t *fn, void *arg);

/* ---- _PyRawMutex --------------------------------------------------------- */

/* _PyRawMutex_Lock (pycore_lock.h). */
void cpylock_PyRawMutex_Lock(_PyRawMutex *m);

/* _PyRawMutex_Unlock (pycore_lock.h); aborts if the mutex is not locked. */
void cpylock_PyRawMutex_Unlock(_PyRawMutex *m);

/* ---- _PyRWMutex ---------------------------------------------------------- */

/* _PyRWMutex_RLock (lock.c) with the calling thread's state bound. */
void cpylock_PyRWMutex_RLock(cpylock_thread *t, _PyRWMutex *rw);

/* _PyRWMutex_Lock (lock.c) with the calling thread's state bound. */
void cpylock_PyRWMutex_Lock(cpylock_thread *t, _PyRWMutex *rw);

/* _PyRWMutex_RUnlock (lock.c). */
void cpylock_PyRWMutex_RUnlock(_PyRWMutex *rw);

/* _PyRWMutex_Unlock (lock.c). */
void cpylock_PyRWMutex_Unlock(_PyRWMutex *rw);

/* ---- _PyRecursiveMutex --------------------------------------------------- */

/* _PyRecursiveMutex_Lock (lock.c); the owner is t's identity. */
void cpylock_PyRecursiveMutex_Lock(cpylock_thread *t, _PyRecursiveMutex *m);

/* _PyRecursiveMutex_Unlock (lock.c); aborts if t does not own the mutex. */
void cpylock_PyRecursiveMutex_Unlock(cpylock_thread *t, _PyRecursiveMutex *m);

/* _PyRecursiveMutex_IsLockedByCurrentThread (lock.c) for t's identity. */
int cpylock_PyRecursiveMutex_IsLockedByCurrentThread(cpylock_thread *t,
                                                      _PyRecursiveMutex *m);

/* ---- _PySeqLock ---------------------------------------------------------- */

/* _PySeqLock_LockWrite, _PySeqLock_UnlockWrite, _PySeqLock_AbandonWrite,
 * _PySeqLock_BeginRead, _PySeqLock_EndRead, _PySeqLock_AfterFork (lock.c). */
void cpylock_PySeqLock_LockWrite(_PySeqLock *seqlock);
void cpylock_PySeqLock_UnlockWrite(_PySeqLock *seqlock);
void cpylock_PySeqLock_AbandonWrite(_PySeqLock *seqlock);
uint32_t cpylock_PySeqLock_BeginRead(_PySeqLock *seqlock);
int cpylock_PySeqLock_EndRead(_PySeqLock *seqlock, uint32_t previous);
int cpylock_PySeqLock_AfterFork(_PySeqLock *seqlock);

/* ---- parking lot --------------------------------------------------------- */

/* _PyParkingLot_Unpark and _PyParkingLot_UnparkAll (parking_lot.c). */
void cpylock_PyParkingLot_Unpark(const void *addr, _Py_unpark_fn_t *fn, void *arg);
void cpylock_PyParkingLot_UnparkAll(const void *addr);

/* _PyParkingLot_Park (parking_lot.c) with the calling thread's state bound.
 * `expected` holds the value to compare in its low `size` bytes (1, 2, 4 or
 * 8), as the integer of that width. With `interruptible`, an interrupt ends
 * the wait with Py_PARK_INTR (so may any other signal). */
int cpylock_PyParkingLot_Park(cpylock_thread *t, const void *addr,
                              uint64_t expected, size_t size,
                              PyTime_t timeout_ns, void *park_arg, int detach,
                              int interruptible);


/* ---- critical sections --------------------------------------------------- */

/* _PyCriticalSection_BeginMutex (pycore_critical_section.h); nothing in the
 * default flavour, as Py_BEGIN_CRITICAL_SECTION_MUT in CPython's default build. */
void cpylock_PyCriticalSection_BeginMutex(cpylock_thread *t, PyCriticalSection *c,
                                          PyMutex *m);

/* _PyCriticalSection_End (pycore_critical_section.h); nothing in the default
 * flavour. */
void cpylock_PyCriticalSection_End(cpylock_thread *t, PyCriticalSection *c);

/* _PyCriticalSection2_BeginMutex (pycore_critical_section.h); nothing in the
 * default flavour. */
void cpylock_PyCriticalSection2_BeginMutex(cpylock_thread *t, PyCriticalSection2 *c,
                                           PyMutex *m1, PyMutex *m2);

/* _PyCriticalSection2_End (pycore_critical_section.h); nothing in the default
 * flavour. */
void cpylock_PyCriticalSection2_End(cpylock_thread *t, PyCriticalSection2 *c);

/* _PyCriticalSection_End, except that a mutex found unlocked (a caller
 * unlocked it behind the section's back) is reported by returning -1, with
 * nothing changed, instead of aborting in PyMutex_Unlock. 0 on success;
 * always 0 in the default flavour. */
int cpylock_PyCriticalSection_EndChecked(cpylock_thread *t, PyCriticalSection *c);

/* _PyCriticalSection2_End, checked as cpylock_PyCriticalSection_EndChecked. */
int cpylock_PyCriticalSection2_EndChecked(cpylock_thread *t, PyCriticalSection2 *c);

/* ---- layouts ------------------------------------------------------------- */
/* Sizes and offsets as compiled. The critical-section structures exist only
 * in the free-threaded flavour; the default flavour reports 0 for them. */

size_t cpylock_sizeof_PyMutex(void);
size_t cpylock_offsetof_PyMutex__bits(void);
size_t cpylock_sizeof_PyRawMutex(void);
size_t cpylock_offsetof_PyRawMutex_v(void);
size_t cpylock_sizeof_PyRWMutex(void);
size_t cpylock_offsetof_PyRWMutex_bits(void);
size_t cpylock_sizeof_PySeqLock(void);
size_t cpylock_offsetof_PySeqLock_sequence(void);
size_t cpylock_sizeof_PyEvent(void);
size_t cpylock_offsetof_PyEvent_v(void);
size_t cpylock_sizeof_PyOnceFlag(void);
size_t cpylock_offsetof_PyOnceFlag_v(void);
size_t cpylock_sizeof_PyRecursiveMutex(void);
size_t cpylock_offsetof_PyRecursiveMutex_mutex(void);
size_t cpylock_offsetof_PyRecursiveMutex_thread(void);
size_t cpylock_offsetof_PyRecursiveMutex_level(void);
size_t cpylock_sizeof_PyCriticalSection(void);
size_t cpylock_offsetof_PyCriticalSection__cs_prev(void);
size_t cpylock_offsetof_PyCriticalSection__cs_mutex(void);
size_t cpylock_sizeof_PyCriticalSection2(void);
size_t cpylock_offsetof_PyCriticalSection2__cs_base(void);
size_t cpylock_offsetof_PyCriticalSection2__cs_mutex2(void);

#ifdef __cplusplus
}
#endif

#endif /* CPYLOCK_H */
