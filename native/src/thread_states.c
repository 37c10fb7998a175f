/*
 * thread_states.c: the bundled library's identity and thread states
 * (cpylock.h): each cpylock_thread holds a PyThreadState of its own, which
 * the wrappers of exports.c make current for the duration of a call
 * (thread_binding.h), and which runtime.c detaches and attaches as CPython's
 * pystate.c does.
 */
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
