/*
 * exports.c: the functions of cpylock.h that both libraries share (see
 * thread_binding.h): wrappers for the static-inline functions of CPython's
 * headers (compiled from those same headers, so they are exactly CPython's
 * fast paths), wrappers that bind the caller's thread state around a call,
 * the flavour each was compiled for, and the layouts of the lock structures.
 * The version and the thread states are each library's own: thread_states.c
 * (bundled), interpreter.c (interpreter).
 */
#include "thread_binding.h"

/* A wrapper of a void CPython function of one lock that binds the caller's
 * thread state around the call: void name(cpylock_thread *t, type *lock). */
#define CPYLOCK_BOUND_CALL(name, type, function)                              \
    void name(cpylock_thread *t, type *lock)                                  \
    {                                                                         \
        CPYLOCK_BIND(t);                                                      \
        function(lock);                                                       \
        CPYLOCK_UNBIND();                                                     \
    }

/* A wrapper of a void CPython function of one lock that needs no thread
 * state: void name(type *lock). */
#define CPYLOCK_CALL(name, type, function)                                    \
    void name(type *lock) { function(lock); }

/* ---- the flavour ---------------------------------------------------------- */

int
cpylock_gil_disabled(void)
{
#ifdef Py_GIL_DISABLED
    return 1;
#else
    return 0;
#endif
}

/* ---- atomics -------------------------------------------------------------- */

int
cpylock_Py_atomic_compare_exchange_uint8(uint8_t *obj, uint8_t expected,
                                         uint8_t desired)
{
    return _Py_atomic_compare_exchange_uint8(obj, &expected, desired);
}

/* ---- PyMutex ------------------------------------------------------------- */

int
cpylock_PyMutex_LockFast(PyMutex *m)
{
    return PyMutex_LockFast(&m->_bits);
}

int
cpylock_PyMutex_IsLocked(PyMutex *m)
{
    return PyMutex_IsLocked(m);
}

CPYLOCK_BOUND_CALL(cpylock_PyMutex_Lock, PyMutex, PyMutex_Lock)

CPYLOCK_CALL(cpylock_PyMutex_Unlock, PyMutex, PyMutex_Unlock)

int
cpylock_PyMutex_UnlockChecked(PyMutex *m)
{
    uint8_t expected = _Py_LOCKED;
    if (_Py_atomic_compare_exchange_uint8(&m->_bits, &expected, _Py_UNLOCKED)) {
        return 0;
    }
    return _PyMutex_TryUnlock(m);
}

PyLockStatus
cpylock_PyMutex_LockTimed(cpylock_thread *t, PyMutex *m, PyTime_t timeout_ns,
                          _PyLockFlags flags)
{
    int interruptible = (flags & _PY_LOCK_HANDLE_SIGNALS) != 0;
    if (!cpylock_detach_allowed(flags & _PY_LOCK_DETACH)) {
        flags &= ~_PY_LOCK_DETACH;
    }
    CPYLOCK_BIND(t);
    if (interruptible) {
        cpylock_interruptible_begin(t);
    }
    PyLockStatus status = _PyMutex_LockTimed(m, timeout_ns, flags);
    if (interruptible) {
        // An interrupt the wait did not act on is dropped here: the caller
        // decides from its own interrupt status.
        (void)cpylock_interruptible_end(t);
    }
    CPYLOCK_UNBIND();
    return status;
}

/* ---- PyEvent ------------------------------------------------------------- */

CPYLOCK_CALL(cpylock_PyEvent_Notify, PyEvent, _PyEvent_Notify)

int
cpylock_PyEvent_WaitTimed(cpylock_thread *t, PyEvent *evt, PyTime_t timeout_ns,
                          int detach)
{
    CPYLOCK_BIND(t);
    int set = PyEvent_WaitTimed(evt, timeout_ns, cpylock_detach_allowed(detach));
    CPYLOCK_UNBIND();
    return set;
}

/* ---- _PyOnceFlag --------------------------------------------------------- */

int
cpylock_PyOnceFlag_CallOnce(cpylock_thread *t, _PyOnceFlag *flag,
                            _Py_once_fn_t *fn, void *arg)
{
    CPYLOCK_BIND(t);
    int res = _PyOnceFlag_CallOnce(flag, fn, arg);
    CPYLOCK_UNBIND();
    return res;
}

/* ---- _PyRawMutex --------------------------------------------------------- */

CPYLOCK_CALL(cpylock_PyRawMutex_Lock, _PyRawMutex, _PyRawMutex_Lock)

CPYLOCK_CALL(cpylock_PyRawMutex_Unlock, _PyRawMutex, _PyRawMutex_Unlock)

/* ---- _PyRWMutex ---------------------------------------------------------- */

CPYLOCK_BOUND_CALL(cpylock_PyRWMutex_RLock, _PyRWMutex, _PyRWMutex_RLock)

CPYLOCK_BOUND_CALL(cpylock_PyRWMutex_Lock, _PyRWMutex, _PyRWMutex_Lock)

CPYLOCK_CALL(cpylock_PyRWMutex_RUnlock, _PyRWMutex, _PyRWMutex_RUnlock)

CPYLOCK_CALL(cpylock_PyRWMutex_Unlock, _PyRWMutex, _PyRWMutex_Unlock)

/* ---- _PyRecursiveMutex --------------------------------------------------- */

CPYLOCK_BOUND_CALL(cpylock_PyRecursiveMutex_Lock, _PyRecursiveMutex, _PyRecursiveMutex_Lock)

CPYLOCK_BOUND_CALL(cpylock_PyRecursiveMutex_Unlock, _PyRecursiveMutex, _PyRecursiveMutex_Unlock)

int
cpylock_PyRecursiveMutex_IsLockedByCurrentThread(cpylock_thread *t,
                                                  _PyRecursiveMutex *m)
{
    CPYLOCK_BIND(t);
    int owned = _PyRecursiveMutex_IsLockedByCurrentThread(m);
    CPYLOCK_UNBIND();
    return owned;
}

/* ---- _PySeqLock ---------------------------------------------------------- */

CPYLOCK_CALL(cpylock_PySeqLock_LockWrite, _PySeqLock, _PySeqLock_LockWrite)

CPYLOCK_CALL(cpylock_PySeqLock_UnlockWrite, _PySeqLock, _PySeqLock_UnlockWrite)

CPYLOCK_CALL(cpylock_PySeqLock_AbandonWrite, _PySeqLock, _PySeqLock_AbandonWrite)

uint32_t
cpylock_PySeqLock_BeginRead(_PySeqLock *seqlock)
{
    return _PySeqLock_BeginRead(seqlock);
}

int
cpylock_PySeqLock_EndRead(_PySeqLock *seqlock, uint32_t previous)
{
    return _PySeqLock_EndRead(seqlock, previous);
}

int
cpylock_PySeqLock_AfterFork(_PySeqLock *seqlock)
{
    return _PySeqLock_AfterFork(seqlock);
}

/* ---- parking lot --------------------------------------------------------- */

void
cpylock_PyParkingLot_Unpark(const void *addr, _Py_unpark_fn_t *fn, void *arg)
{
    _PyParkingLot_Unpark(addr, fn, arg);
}

void
cpylock_PyParkingLot_UnparkAll(const void *addr)
{
    _PyParkingLot_UnparkAll(addr);
}

int
cpylock_PyParkingLot_Park(cpylock_thread *t, const void *addr, uint64_t expected,
                          size_t size, PyTime_t timeout_ns, void *park_arg,
                          int detach, int interruptible)
{
    cpylock_park_value value;
    if (!cpylock_park_value_of(expected, size, &value)) {
        return Py_PARK_AGAIN;  // the caller checks the size first
    }
    CPYLOCK_BIND(t);
    if (interruptible) {
        cpylock_interruptible_begin(t);
    }
    int res = _PyParkingLot_Park(addr, &value, size, timeout_ns, park_arg, cpylock_detach_allowed(detach));
    if (interruptible) {
        (void)cpylock_interruptible_end(t);
    }
    CPYLOCK_UNBIND();
    return res;
}

/* ---- critical sections --------------------------------------------------- */

void
cpylock_PyCriticalSection_BeginMutex(cpylock_thread *t, PyCriticalSection *c,
                                     PyMutex *m)
{
#ifdef Py_GIL_DISABLED
    cpylock_enter_section(t);
    CPYLOCK_BIND(t);
    _PyCriticalSection_BeginMutex(c, m);
    CPYLOCK_UNBIND();
#else
    (void)t; (void)c; (void)m;
#endif
}

void
cpylock_PyCriticalSection_End(cpylock_thread *t, PyCriticalSection *c)
{
#ifdef Py_GIL_DISABLED
    CPYLOCK_BIND(t);
    _PyCriticalSection_End(c);
    CPYLOCK_UNBIND();
    cpylock_leave_section(t);
#else
    (void)t; (void)c;
#endif
}

void
cpylock_PyCriticalSection2_BeginMutex(cpylock_thread *t, PyCriticalSection2 *c,
                                      PyMutex *m1, PyMutex *m2)
{
#ifdef Py_GIL_DISABLED
    cpylock_enter_section(t);
    CPYLOCK_BIND(t);
    _PyCriticalSection2_BeginMutex(c, m1, m2);
    CPYLOCK_UNBIND();
#else
    (void)t; (void)c; (void)m1; (void)m2;
#endif
}

void
cpylock_PyCriticalSection2_End(cpylock_thread *t, PyCriticalSection2 *c)
{
#ifdef Py_GIL_DISABLED
    CPYLOCK_BIND(t);
    _PyCriticalSection2_End(c);
    CPYLOCK_UNBIND();
    cpylock_leave_section(t);
#else
    (void)t; (void)c;
#endif
}

// _PyCriticalSection_End and _PyCriticalSection2_End unlock with
// PyMutex_Unlock, which aborts if the mutex is not locked. The checked forms
// look first (cpylock_critical_section_mutex_locked), then do what those
// functions do: unlock (the second mutex first) and pop the section with
// _PyCriticalSection_Pop, which resumes the next section if it is suspended.

int
cpylock_PyCriticalSection_EndChecked(cpylock_thread *t, PyCriticalSection *c)
{
#ifdef Py_GIL_DISABLED
    if (!cpylock_critical_section_mutex_locked(c->_cs_mutex)) {
        return -1;
    }
    CPYLOCK_BIND(t);
    _PyCriticalSection_End(c);
    CPYLOCK_UNBIND();
    cpylock_leave_section(t);
#else
    (void)t; (void)c;
#endif
    return 0;
}

int
cpylock_PyCriticalSection2_EndChecked(cpylock_thread *t, PyCriticalSection2 *c)
{
#ifdef Py_GIL_DISABLED
    if (!cpylock_critical_section_mutex_locked(c->_cs_base._cs_mutex)
            || !cpylock_critical_section_mutex_locked(c->_cs_mutex2)) {
        return -1;
    }
    CPYLOCK_BIND(t);
    _PyCriticalSection2_End(c);
    CPYLOCK_UNBIND();
    cpylock_leave_section(t);
#else
    (void)t; (void)c;
#endif
    return 0;
}

/* ---- layouts ------------------------------------------------------------- */

#define CPYLOCK_SIZEOF(name, type) \
    size_t cpylock_sizeof_##name(void) { return sizeof(type); }
#define CPYLOCK_OFFSETOF(name, type, field) \
    size_t cpylock_offsetof_##name##_##field(void) { return offsetof(type, field); }

CPYLOCK_SIZEOF(PyMutex, PyMutex)
CPYLOCK_OFFSETOF(PyMutex, PyMutex, _bits)
CPYLOCK_SIZEOF(PyRawMutex, _PyRawMutex)
CPYLOCK_OFFSETOF(PyRawMutex, _PyRawMutex, v)
CPYLOCK_SIZEOF(PyRWMutex, _PyRWMutex)
CPYLOCK_OFFSETOF(PyRWMutex, _PyRWMutex, bits)
CPYLOCK_SIZEOF(PySeqLock, _PySeqLock)
CPYLOCK_OFFSETOF(PySeqLock, _PySeqLock, sequence)
CPYLOCK_SIZEOF(PyEvent, PyEvent)
CPYLOCK_OFFSETOF(PyEvent, PyEvent, v)
CPYLOCK_SIZEOF(PyOnceFlag, _PyOnceFlag)
CPYLOCK_OFFSETOF(PyOnceFlag, _PyOnceFlag, v)
CPYLOCK_SIZEOF(PyRecursiveMutex, _PyRecursiveMutex)
CPYLOCK_OFFSETOF(PyRecursiveMutex, _PyRecursiveMutex, mutex)
CPYLOCK_OFFSETOF(PyRecursiveMutex, _PyRecursiveMutex, thread)
CPYLOCK_OFFSETOF(PyRecursiveMutex, _PyRecursiveMutex, level)

#ifdef Py_GIL_DISABLED
CPYLOCK_SIZEOF(PyCriticalSection, PyCriticalSection)
CPYLOCK_OFFSETOF(PyCriticalSection, PyCriticalSection, _cs_prev)
CPYLOCK_OFFSETOF(PyCriticalSection, PyCriticalSection, _cs_mutex)
CPYLOCK_SIZEOF(PyCriticalSection2, PyCriticalSection2)
CPYLOCK_OFFSETOF(PyCriticalSection2, PyCriticalSection2, _cs_base)
CPYLOCK_OFFSETOF(PyCriticalSection2, PyCriticalSection2, _cs_mutex2)
#else
// CPython's default build leaves the critical-section structures incomplete.
size_t cpylock_sizeof_PyCriticalSection(void) { return 0; }
size_t cpylock_offsetof_PyCriticalSection__cs_prev(void) { return 0; }
size_t cpylock_offsetof_PyCriticalSection__cs_mutex(void) { return 0; }
size_t cpylock_sizeof_PyCriticalSection2(void) { return 0; }
size_t cpylock_offsetof_PyCriticalSection2__cs_base(void) { return 0; }
size_t cpylock_offsetof_PyCriticalSection2__cs_mutex2(void) { return 0; }
#endif
