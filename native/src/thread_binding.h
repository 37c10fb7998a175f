/*
 * thread_binding.h: what a cpylock_thread is, and how a call binds it.
 *
 * Two libraries are built from the wrappers of exports.c, and each gives
 * these definitions its own meaning:
 *
 * Bundled (libcpylock-<flavour>: the three C files compiled in). CPython
 * finds the current thread's state in the thread-local _Py_tss_tstate and
 * its identity in PyThread_get_thread_ident_ex(). A caller may be a Java
 * virtual thread that runs on a different OS thread from one call to the
 * next, so neither can be left in OS-thread-local storage between calls:
 * each call that depends on them installs the caller's state on entry
 * (CPYLOCK_BIND) and puts the previous values back on exit (CPYLOCK_UNBIND).
 * While a call runs, the caller cannot move to another OS thread (a virtual
 * thread is pinned to its carrier while native frames are on its stack).
 *
 * Interpreter (libcpylock-interpreter-<flavour>, CPYLOCK_INTERPRETER: the
 * wrappers over a libpython's own functions, see interpreter.c). The
 * interpreter keeps its current thread state per OS thread, and a Java
 * thread has one only while it is attached, which it is only while it holds
 * a critical section (free-threaded build). The wrappers' inline code reads
 * the current state through _Py_tss_tstate, which libpython does not export:
 * the interpreter library is compiled with _Py_tss_tstate renamed to a
 * thread-local of its own, which CPYLOCK_BIND sets from
 * PyThreadState_GetUnchecked() for the duration of the call.
 */
#ifndef CPYLOCK_THREAD_BINDING_H
#define CPYLOCK_THREAD_BINDING_H

#include "cpylock.h"
#include "pycore_critical_section.h"

#include <pthread.h>
#include "pycore_pystate.h"       // _Py_tss_tstate

#ifndef CPYLOCK_INTERPRETER

struct cpylock_thread {
    // What _PyThreadState_GET() returns while the thread is bound and
    // attached: the three C files use its `state` and `critical_section`.
    PyThreadState tstate;

    // What PyThread_get_thread_ident_ex() returns while the thread is bound
    // and attached (the three C files ask for it only then).
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

// What a call binds: the caller's thread state, and through it (its ident
// member) the identity PyThread_get_thread_ident_ex() reports. One
// thread-local, read and written with the initial-exec model (see
// CMakeLists.txt), so that binding costs two plain TLS accesses.
typedef struct {
    PyThreadState *tstate;
} cpylock_binding;

static inline cpylock_binding
cpylock_bind(cpylock_thread *t)
{
    cpylock_binding previous = { _Py_tss_tstate };
    _Py_tss_tstate = &t->tstate;
    return previous;
}

static inline void
cpylock_unbind(cpylock_binding previous)
{
    _Py_tss_tstate = previous.tstate;
}

#define CPYLOCK_BIND(t) cpylock_binding cpylock_previous_ = cpylock_bind(t)
#define CPYLOCK_UNBIND() cpylock_unbind(cpylock_previous_)

// A bundled thread state is always attached outside CPython.allowThreads.
#define cpylock_enter_section(t) ((void)(t))
#define cpylock_leave_section(t) ((void)(t))

// A wait's detach flag as given: runtime.c's PyEval_ReleaseThread refuses to
// suspend sections whose mutexes were unlocked outside them.
#define cpylock_detach_allowed(detach) (detach)

#else /* CPYLOCK_INTERPRETER */

struct cpylock_thread {
    // The thread's own state in the interpreter, created when it first
    // attaches (for a critical section) and deleted when the thread ends
    // (cpylock_interpreter_thread_release).
    PyThreadState *tstate;
    // Whether this library attached tstate (to hold a critical section), so
    // that it detaches it again once the last section ends.
    int attached_for_sections;
    // Inside CPython.allowThreads: cpylock_thread_detach released the
    // thread's state (or there was none to release).
    int detached;
    // PyThreadState_GetUnchecked() when detached, to attach it again.
    PyThreadState *released;
};

// No interrupts reach a wait in the interpreter (see interpreter.c).
#define cpylock_interruptible_begin(t) ((void)(t))
#define cpylock_interruptible_end(t) ((void)(t), 0)

static inline PyThreadState *
cpylock_bind_current(void)
{
    PyThreadState *previous = _Py_tss_tstate;
    _Py_tss_tstate = PyThreadState_GetUnchecked();
    return previous;
}

#define CPYLOCK_BIND(t) PyThreadState *cpylock_previous_ = ((void)(t), cpylock_bind_current())
#define CPYLOCK_UNBIND() (_Py_tss_tstate = cpylock_previous_)

// Attaches t's state if the OS thread has none current, before a section
// begins; detaches it again after the last section ends (interpreter.c).
void cpylock_enter_section(cpylock_thread *t);
void cpylock_leave_section(cpylock_thread *t);

#endif /* CPYLOCK_INTERPRETER */

// Whether _PyCriticalSection_SuspendAll can run for tstate: every mutex it
// would unlock (those of the active sections, from the innermost down to the
// first suspended one) is locked. If a caller unlocked one behind its
// section's back, SuspendAll's PyMutex_Unlock would abort the process.
static inline int
cpylock_critical_sections_suspendable(PyThreadState *tstate)
{
#ifdef Py_GIL_DISABLED
    uintptr_t tag = tstate->critical_section;
    while (_PyCriticalSection_IsActive(tag)) {
        PyCriticalSection *c = (PyCriticalSection *)(tag & ~_Py_CRITICAL_SECTION_MASK);
        if (c->_cs_mutex != NULL) {
            if (!PyMutex_IsLocked(c->_cs_mutex)) {
                return 0;
            }
            PyCriticalSection2 *c2 = (PyCriticalSection2 *)c;
            if ((tag & _Py_CRITICAL_SECTION_TWO_MUTEXES) && c2->_cs_mutex2 != NULL
                    && !PyMutex_IsLocked(c2->_cs_mutex2)) {
                return 0;
            }
        }
        tag = c->_cs_prev;
    }
#else
    (void)tstate;
#endif
    return 1;
}

// The value a park compares, of `size` bytes (1, 2, 4 or 8), from the low
// bytes of `expected` as the integer of that width; 0 for another size.
typedef union {
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
} cpylock_park_value;

static inline int
cpylock_park_value_of(uint64_t expected, size_t size, cpylock_park_value *value)
{
    switch (size) {
    case 1: value->u8 = (uint8_t)expected; return 1;
    case 2: value->u16 = (uint16_t)expected; return 1;
    case 4: value->u32 = (uint32_t)expected; return 1;
    case 8: value->u64 = expected; return 1;
    default: return 0;
    }
}

#ifdef Py_GIL_DISABLED
// Whether a critical section's mutex (NULL: none) is locked, as the section
// that holds it expects: PyMutex_Unlock aborts on one that is not.
static inline int
cpylock_critical_section_mutex_locked(PyMutex *m)
{
    return m == NULL || PyMutex_IsLocked(m);
}
#endif

#ifdef CPYLOCK_INTERPRETER
// Whether the OS thread's current state, if any, can be detached: the
// interpreter's PyEval_ReleaseThread would abort on a section whose mutex
// was unlocked outside it.
static inline int
cpylock_interpreter_can_detach(void)
{
    PyThreadState *tstate = PyThreadState_GetUnchecked();
    return tstate == NULL || cpylock_critical_sections_suspendable(tstate);
}

// A wait's detach flag, cleared where detaching would abort: the wait then
// holds the sections, as the bundled library's refused suspension does.
#define cpylock_detach_allowed(detach) ((detach) && cpylock_interpreter_can_detach())
#endif

#endif /* CPYLOCK_THREAD_BINDING_H */
