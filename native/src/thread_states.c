/*
 * thread_states.c: the bundled library's identity and thread states
 * (cpylock.h): each cpylock_thread holds a PyThreadState of its own, which
 * the wrappers of exports.c make current for the duration of a call
 * (thread_binding.h), and which runtime.c detaches and attaches as CPython's
 * pystate.c does; and the steps of attaching and of critical sections for a
 * thread that must not wait in C (cpylock_bundled.h).
 */
#include "cpylock_bundled.h"
#include "thread_binding.h"

#include <string.h>

/* ---- identity of the build ---------------------------------------------- */

const char *
cpylock_python_version(void)
{
    return PY_VERSION;
}

/* ---- thread states ------------------------------------------------------- */

size_t
cpylock_thread_size(void)
{
    return sizeof(cpylock_thread);
}

void
cpylock_thread_init(cpylock_thread *t, unsigned long long ident)
{
    memset(t, 0, sizeof(*t));
    t->tstate.state = _Py_THREAD_ATTACHED;
    t->ident = ident;
}

int
cpylock_thread_detach(cpylock_thread *t)
{
    t->suspend_refused = 0;
    CPYLOCK_BIND(t);
    PyEval_ReleaseThread(&t->tstate);
    CPYLOCK_UNBIND();
    return t->suspend_refused ? -1 : 0;
}

void
cpylock_thread_attach(cpylock_thread *t)
{
    CPYLOCK_BIND(t);
    // CPython attaches with no current thread state.
    _Py_tss_tstate = NULL;
    PyEval_AcquireThread(&t->tstate);
    CPYLOCK_UNBIND();
}

int
cpylock_thread_is_attached(cpylock_thread *t)
{
    return _Py_atomic_load_int_relaxed(&t->tstate.state) == _Py_THREAD_ATTACHED;
}

uintptr_t
cpylock_thread_critical_section(cpylock_thread *t)
{
    return t->tstate.critical_section;
}

/* ---- critical sections, for threads that must not wait in C --------------- */
/* Each follows the CPython function it names, leaving out its PyMutex_Lock
 * calls, which the caller makes (cpylock_bundled.h). */

#ifdef Py_GIL_DISABLED
// The push of _PyCriticalSection_BeginSlow (critical_section.c), for a
// section c on the current thread state: no mutex in it while it waits.
static void
push_waiting_section(PyCriticalSection *c, uintptr_t tag)
{
    PyThreadState *tstate = _PyThreadState_GET();
    c->_cs_mutex = NULL;
    c->_cs_prev = tstate->critical_section;
    tstate->critical_section = (uintptr_t)c | tag;
}

// The innermost section of tstate, untagged.
static PyCriticalSection *
innermost_section(PyThreadState *tstate)
{
    return (PyCriticalSection *)(tstate->critical_section & ~_Py_CRITICAL_SECTION_MASK);
}
#endif

int
cpylock_PyCriticalSection_BeginMutexOrPush(cpylock_thread *t, PyCriticalSection *c, PyMutex *m)
{
#ifdef Py_GIL_DISABLED
    CPYLOCK_BIND(t);
    int begun = PyMutex_LockFast(&m->_bits);
    if (begun) {
        PyThreadState *tstate = _PyThreadState_GET();
        c->_cs_mutex = m;
        c->_cs_prev = tstate->critical_section;
        tstate->critical_section = (uintptr_t)c;
    }
    else {
        push_waiting_section(c, 0);
    }
    CPYLOCK_UNBIND();
    return begun;
#else
    (void)t; (void)c; (void)m;
    return 1;
#endif
}

int
cpylock_PyCriticalSection2_BeginMutexOrPush(cpylock_thread *t, PyCriticalSection2 *c, PyMutex *m1,
                                            PyMutex *m2, PyMutex **mutexes)
{
#ifdef Py_GIL_DISABLED
    if (m1 == m2) {
        c->_cs_mutex2 = NULL;
        mutexes[0] = m1;
        mutexes[1] = NULL;
        return cpylock_PyCriticalSection_BeginMutexOrPush(t, &c->_cs_base, m1);
    }
    if ((uintptr_t)m2 < (uintptr_t)m1) {
        PyMutex *tmp = m1;
        m1 = m2;
        m2 = tmp;
    }
    mutexes[0] = m1;
    mutexes[1] = m2;
    CPYLOCK_BIND(t);
    int result;
    int first = PyMutex_LockFast(&m1->_bits);
    if (first && PyMutex_LockFast(&m2->_bits)) {
        PyThreadState *tstate = _PyThreadState_GET();
        c->_cs_base._cs_mutex = m1;
        c->_cs_mutex2 = m2;
        c->_cs_base._cs_prev = tstate->critical_section;
        tstate->critical_section = (uintptr_t)c | _Py_CRITICAL_SECTION_TWO_MUTEXES;
        result = 1;
    }
    else {
        c->_cs_mutex2 = NULL;
        push_waiting_section(&c->_cs_base, _Py_CRITICAL_SECTION_TWO_MUTEXES);
        result = first ? 2 : 0;
    }
    CPYLOCK_UNBIND();
    return result;
#else
    (void)t; (void)c; (void)m1; (void)m2; (void)mutexes;
    return 1;
#endif
}

int
cpylock_thread_attach_deferred(cpylock_thread *t)
{
    // PyEval_AcquireThread as runtime.c has it, up to the resumption.
    _Py_atomic_store_int(&t->tstate.state, _Py_THREAD_ATTACHED);
    uintptr_t tag = t->tstate.critical_section;
    return tag != 0 && (tag & _Py_CRITICAL_SECTION_INACTIVE) != 0;
}

void
cpylock_critical_section_resume_take(cpylock_thread *t, PyMutex **mutexes)
{
#ifdef Py_GIL_DISABLED
    uintptr_t p = t->tstate.critical_section;
    PyCriticalSection *c = innermost_section(&t->tstate);
    mutexes[0] = c->_cs_mutex;
    c->_cs_mutex = NULL;
    mutexes[1] = NULL;
    if (p & _Py_CRITICAL_SECTION_TWO_MUTEXES) {
        PyCriticalSection2 *c2 = (PyCriticalSection2 *)c;
        mutexes[1] = c2->_cs_mutex2;
        c2->_cs_mutex2 = NULL;
    }
#else
    (void)t;
    mutexes[0] = mutexes[1] = NULL;
#endif
}

void
cpylock_critical_section_resume_put(cpylock_thread *t, PyMutex **mutexes)
{
#ifdef Py_GIL_DISABLED
    uintptr_t p = t->tstate.critical_section;
    PyCriticalSection *c = innermost_section(&t->tstate);
    c->_cs_mutex = mutexes[0];
    if ((p & _Py_CRITICAL_SECTION_TWO_MUTEXES) && mutexes[1] != NULL) {
        ((PyCriticalSection2 *)c)->_cs_mutex2 = mutexes[1];
    }
    t->tstate.critical_section &= ~_Py_CRITICAL_SECTION_INACTIVE;
#else
    (void)t; (void)mutexes;
#endif
}

#ifdef Py_GIL_DISABLED
// _PyCriticalSection_End, or _PyCriticalSection2_End with second mutex m2
// (NULL: none), checked, with _PyCriticalSection_Pop's resumption left to
// the caller.
static int
end_deferred(cpylock_thread *t, PyCriticalSection *c, PyMutex *m2)
{
    if (!cpylock_critical_section_mutex_locked(c->_cs_mutex) || !cpylock_critical_section_mutex_locked(m2)) {
        return -1;
    }
    if (m2 != NULL) {
        PyMutex_Unlock(m2);
    }
    PyMutex_Unlock(c->_cs_mutex);
    uintptr_t prev = c->_cs_prev;
    t->tstate.critical_section = prev;
    return (prev & _Py_CRITICAL_SECTION_INACTIVE) != 0;
}
#endif

int
cpylock_PyCriticalSection_EndCheckedDeferred(cpylock_thread *t, PyCriticalSection *c)
{
#ifdef Py_GIL_DISABLED
    return end_deferred(t, c, NULL);
#else
    (void)t; (void)c;
    return 0;
#endif
}

int
cpylock_PyCriticalSection2_EndCheckedDeferred(cpylock_thread *t, PyCriticalSection2 *c)
{
#ifdef Py_GIL_DISABLED
    return end_deferred(t, &c->_cs_base, c->_cs_mutex2);
#else
    (void)t; (void)c;
    return 0;
#endif
}
