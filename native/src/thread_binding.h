/*
 * thread_binding.h: how a call binds the caller's cpylock_thread.
 *
 * CPython finds the current thread's state in the thread-local _Py_tss_tstate
 * and its identity in PyThread_get_thread_ident_ex(). A cpylock caller may be
 * a Java virtual thread that runs on a different OS thread from one call to
 * the next, so neither can be left in OS-thread-local storage between calls:
 * each call that depends on them installs the caller's state on entry
 * (CPYLOCK_BIND) and puts the previous values back on exit (CPYLOCK_UNBIND).
 * While a call runs, the caller cannot move to another OS thread (a virtual
 * thread is pinned to its carrier while native frames are on its stack).
 */
#ifndef CPYLOCK_THREAD_BINDING_H
#define CPYLOCK_THREAD_BINDING_H

#include "cpylock.h"
#include "pycore_critical_section.h"

#include <pthread.h>
#include "pycore_pystate.h"       // _Py_tss_tstate

struct cpylock_thread {
    // What _PyThreadState_GET() returns while the thread is bound and
    // attached: the three C files use its `state` and `critical_section`.
    PyThreadState tstate;

    // What PyThread_get_thread_ident_ex() returns while the thread is bound.
    unsigned long long ident;

    // Interrupts (interrupts.c). While the thread is in an interruptible
    // wait, `waiting` is 1 and `os_thread` is the OS thread running it; both
    // change only under `interrupt_lock`, under which an interrupt is sent.
    _PyRawMutex interrupt_lock;
    int waiting;
    pthread_t os_thread;
    // Set by an interrupt, consumed by Py_MakePendingCalls or by the wait.
    int interrupt_pending;

    // Set when a detach did not suspend the thread's critical sections
    // because one of their mutexes had been unlocked outside them (runtime.c).
    int suspend_refused;
};

// Marks the bound thread as in an interruptible wait, run by this OS thread.
void cpylock_interruptible_begin(cpylock_thread *t);

// Ends the interruptible wait; returns whether an interrupt was pending
// (and consumes it).
int cpylock_interruptible_end(cpylock_thread *t);

// The cpylock_thread whose state is current, or NULL.
static inline cpylock_thread *
cpylock_current_thread(void)
{
    // tstate is the first member of cpylock_thread.
    return (cpylock_thread *)_Py_tss_tstate;
}

// Identity of the bound thread, 0 when none is bound.
extern _Py_thread_local unsigned long long cpylock_bound_ident;

typedef struct {
    PyThreadState *tstate;
    unsigned long long ident;
} cpylock_binding;

static inline cpylock_binding
cpylock_bind(cpylock_thread *t)
{
    cpylock_binding previous = { _Py_tss_tstate, cpylock_bound_ident };
    _Py_tss_tstate = &t->tstate;
    cpylock_bound_ident = t->ident;
    return previous;
}

static inline void
cpylock_unbind(cpylock_binding previous)
{
    _Py_tss_tstate = previous.tstate;
    cpylock_bound_ident = previous.ident;
}

#define CPYLOCK_BIND(t) cpylock_binding cpylock_previous_ = cpylock_bind(t)
#define CPYLOCK_UNBIND() cpylock_unbind(cpylock_previous_)

#endif /* CPYLOCK_THREAD_BINDING_H */
