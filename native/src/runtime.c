/*
 * runtime.c: the parts of CPython's runtime that lock.c, parking_lot.c and
 * critical_section.c call but do not define, in the bundled library, except
 * the clock (time.c). Each follows the CPython 3.13.5 function of the same
 * name (file named in its comment); only what the three files depend on is
 * kept.
 */
#include "thread_binding.h"

#include "pycore_pyerrors.h"      // _Py_FatalErrorFormat
#include "pycore_pythread.h"      // PyThread_get_thread_ident_ex

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- thread state: Python/pystate.c -------------------------------------- */

// The current thread state (pystate.c). NULL unless a cpylock call has bound
// a cpylock_thread, and NULL while that thread is detached.
_Py_thread_local PyThreadState *_Py_tss_tstate = NULL;

// PyEval_ReleaseThread (Python/ceval_gil.c) calls _PyThreadState_Detach
// (Python/pystate.c): suspend the thread's critical sections, mark the thread
// detached, clear the current thread state. There is no GIL to release.
// Sections whose mutexes were unlocked by other means are left as they are
// (and the refusal recorded), where CPython would abort.
void
PyEval_ReleaseThread(PyThreadState *tstate)
{
    if (tstate->critical_section != 0) {
        if (cpylock_critical_sections_suspendable(tstate)) {
            _PyCriticalSection_SuspendAll(tstate);
        }
        else {
            ((cpylock_thread *)tstate)->suspend_refused = 1;
        }
    }
    _Py_atomic_store_int(&tstate->state, _Py_THREAD_DETACHED);
    _Py_tss_tstate = NULL;
}

// PyEval_AcquireThread (Python/ceval_gil.c) calls _PyThreadState_Attach
// (Python/pystate.c): make the state current, mark it attached, resume the
// top-most critical section. The innermost section is suspended whenever a
// detach suspended it, so resuming only a suspended one changes nothing then,
// and leaves the sections alone after a refused suspension.
void
PyEval_AcquireThread(PyThreadState *tstate)
{
    if (tstate == NULL) {
        Py_FatalError("the function must be called with a non-NULL tstate");
    }
    _Py_tss_tstate = tstate;
    _Py_atomic_store_int(&tstate->state, _Py_THREAD_ATTACHED);
    if (tstate->critical_section != 0
            && (tstate->critical_section & _Py_CRITICAL_SECTION_INACTIVE) != 0) {
        _PyCriticalSection_Resume(tstate);
    }
}

// Py_MakePendingCalls (Python/ceval_gil.c) runs pending calls and signal
// handlers after an interrupted wait and returns -1 if one of them raised
// (KeyboardInterrupt, say). No Python code runs here; what plays that part is
// an interrupt of the bound thread (interrupts.c): -1 if one is pending,
// which is consumed.
int
Py_MakePendingCalls(void)
{
    cpylock_thread *t = cpylock_current_thread();
    if (t != NULL && _Py_atomic_exchange_int(&t->interrupt_pending, 0) != 0) {
        return -1;
    }
    return 0;
}

// PyThread_get_thread_ident_ex (Python/thread_pthread.h): the bound thread's
// identity, or the OS thread's, as CPython reports it, for unbound callers.
// lock.c asks for it only while the caller is attached (recursive mutexes),
// when its state is current.
PyThread_ident_t
PyThread_get_thread_ident_ex(void)
{
    cpylock_thread *t = cpylock_current_thread();
    if (t != NULL) {
        return t->ident;
    }
    return (PyThread_ident_t)(uintptr_t)pthread_self();
}

/* ---- fatal errors: Python/pylifecycle.c ---------------------------------- */

static void _Py_NO_RETURN
fatal_error(const char *func, const char *message)
{
    fflush(stdout);
    if (func != NULL) {
        fprintf(stderr, "Fatal Python error: %s: %s\n", func, message);
    }
    else {
        fprintf(stderr, "Fatal Python error: %s\n", message);
    }
    fputs("(raised inside libcpylock; a caller misused a lock that the "
          "Java facade would have refused)\n", stderr);
    fflush(stderr);
    abort();
}

void _Py_NO_RETURN
_Py_FatalErrorFunc(const char *func, const char *message)
{
    fatal_error(func, message);
}

void _Py_NO_RETURN
_Py_FatalErrorFormat(const char *func, const char *format, ...)
{
    char message[512];
    va_list vargs;
    va_start(vargs, format);
    vsnprintf(message, sizeof(message), format, vargs);
    va_end(vargs);
    fatal_error(func, message);
}
