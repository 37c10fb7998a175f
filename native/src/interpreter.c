/*
 * interpreter.c: the interpreter library's own part (cpylock.h,
 * cpylock_interpreter.h). The library is loaded into a process that has a
 * libpython 3.13 in its global scope; its undefined references are that
 * libpython's exported functions, so Java and Python threads share one
 * parking lot and one set of thread states. It holds:
 *
 *   - exports.c's wrappers, over the interpreter's functions;
 *   - lock.c's functions that libpython keeps hidden (declared without
 *     PyAPI_FUNC in pycore_lock.h: _PyMutex_LockTimed, _PyMutex_TryUnlock,
 *     _PyRawMutex_LockSlow, _PyRawMutex_UnlockSlow, _Py_yield), compiled from
 *     the pinned sources. They keep no state of their own: they work on the
 *     caller's memory and wait in the interpreter's parking lot, as the
 *     interpreter's own copies do. The build makes every other function of
 *     that lock.c local, so the wrappers reach the interpreter's;
 *   - time.c's clock (_PyTime_Add is hidden too);
 *   - the raw-mutex wait that does not return early on a signal
 *     (raw_mutex_wait.h), for that copy of _PyRawMutex_LockSlow;
 *   - this file: the identity of the interpreter, its start, and thread
 *     states.
 *
 * Thread states. A Java thread is attached to the interpreter only while
 * CPython's rules need it: in the free-threaded build, while it holds a
 * critical section. cpylock_enter_section attaches it (with a PyThreadState
 * of its own, created then) unless its OS thread already has a current
 * state; cpylock_leave_section detaches it when its last section has ended.
 * Otherwise it is detached, so it never holds the GIL up, nor a
 * stop-the-world pause. A wait with detach inside a section detaches it as
 * the interpreter detaches any thread (suspending its sections).
 *
 * Interrupts. The interpreter runs Py_MakePendingCalls only on its main
 * thread, so a signal never ends a wait of another thread early; the wake-up
 * signal of the bundled library is not used here (sending it into the
 * interpreter's raw-mutex waits would corrupt them, see interrupts.c), and
 * its entry points do nothing. An interrupted Java thread is unparked
 * instead (cpylock_interpreter_unpark_interrupted).
 */
#include "cpylock_interpreter.h"
#include "raw_mutex_wait.h"
#include "thread_binding.h"

#include <stdio.h>
#include <string.h>

// The current thread state as the wrappers' inline code reads it
// (thread_binding.h); the build names it for _Py_tss_tstate.
_Py_thread_local PyThreadState *_Py_tss_tstate = NULL;

static char start_error[512];

/* ---- identity ------------------------------------------------------------ */

const char *
cpylock_python_version(void)
{
    static char version[32];
    // Py_Version: 0xMMmmppLS (major, minor, micro, level, serial).
    unsigned long v = Py_Version;
    unsigned long level = (v >> 4) & 0xf;
    const char *suffix = level == 0xa ? "a" : level == 0xb ? "b" : level == 0xc ? "rc" : "";
    if (*suffix) {
        snprintf(version, sizeof(version), "%lu.%lu.%lu%s%lu", (v >> 24) & 0xff, (v >> 16) & 0xff,
                 (v >> 8) & 0xff, suffix, v & 0xf);
    }
    else {
        snprintf(version, sizeof(version), "%lu.%lu.%lu", (v >> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff);
    }
    return version;
}

/* ---- the interpreter's start ----------------------------------------------- */

int
cpylock_interpreter_start(const char *home)
{
    if (Py_IsInitialized()) {
        return 0;
    }
    PyConfig config;
    PyConfig_InitPythonConfig(&config);
    // The JVM owns the process's signals.
    config.install_signal_handlers = 0;
    PyStatus status = PyStatus_Ok();
    if (home != NULL) {
        status = PyConfig_SetBytesString(&config, &config.home, home);
    }
    if (!PyStatus_Exception(status)) {
        status = Py_InitializeFromConfig(&config);
    }
    PyConfig_Clear(&config);
    if (PyStatus_Exception(status)) {
        snprintf(start_error, sizeof(start_error), "%s%s%s", status.func ? status.func : "",
                 status.func ? ": " : "", status.err_msg ? status.err_msg : "the interpreter did not start");
        return -1;
    }
    // The initializing thread is a Java thread: detached, like the others.
    (void)PyEval_SaveThread();
    return 1;
}

const char *
cpylock_interpreter_error(void)
{
    return start_error;
}

int
cpylock_interpreter_run(const char *source)
{
    PyGILState_STATE gil = PyGILState_Ensure();
    int result = PyRun_SimpleString(source);
    PyGILState_Release(gil);
    return result;
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
    (void)ident;  // the interpreter identifies threads by OS thread
    memset(t, 0, sizeof(*t));
}

void
cpylock_enter_section(cpylock_thread *t)
{
    if (PyThreadState_GetUnchecked() != NULL) {
        return;  // attached already: by a section, or a thread of the host's own
    }
    if (t->tstate == NULL) {
        t->tstate = PyThreadState_New(PyInterpreterState_Main());
    }
    PyEval_AcquireThread(t->tstate);
    t->attached_for_sections = 1;
}

void
cpylock_leave_section(cpylock_thread *t)
{
    if (t->attached_for_sections && t->tstate->critical_section == 0) {
        t->attached_for_sections = 0;
        PyEval_ReleaseThread(t->tstate);
    }
}

int
cpylock_interpreter_detachable(void)
{
    return cpylock_interpreter_can_detach();
}

// The thread has sections, so it is attached (cpylock_enter_section) and
// the inline code's current state is its own once bound.
int
cpylock_interpreter_begin_if_free(cpylock_thread *t, PyCriticalSection *c, PyMutex *m)
{
#ifdef Py_GIL_DISABLED
    if (!PyMutex_LockFast(&m->_bits)) {
        return 0;
    }
    CPYLOCK_BIND(t);
    PyThreadState *tstate = _PyThreadState_GET();
    c->_cs_mutex = m;
    c->_cs_prev = tstate->critical_section;
    tstate->critical_section = (uintptr_t)c;
    CPYLOCK_UNBIND();
#else
    (void)t; (void)c; (void)m;
#endif
    return 1;
}

int
cpylock_interpreter_begin2_if_free(cpylock_thread *t, PyCriticalSection2 *c, PyMutex *m1, PyMutex *m2)
{
#ifdef Py_GIL_DISABLED
    if (m1 == m2) {
        c->_cs_mutex2 = NULL;
        return cpylock_interpreter_begin_if_free(t, &c->_cs_base, m1);
    }
    if ((uintptr_t)m2 < (uintptr_t)m1) {
        PyMutex *tmp = m1;
        m1 = m2;
        m2 = tmp;
    }
    if (!PyMutex_LockFast(&m1->_bits)) {
        return 0;
    }
    if (!PyMutex_LockFast(&m2->_bits)) {
        PyMutex_Unlock(m1);
        return 0;
    }
    CPYLOCK_BIND(t);
    PyThreadState *tstate = _PyThreadState_GET();
    c->_cs_base._cs_mutex = m1;
    c->_cs_mutex2 = m2;
    c->_cs_base._cs_prev = tstate->critical_section;
    tstate->critical_section = (uintptr_t)c | _Py_CRITICAL_SECTION_TWO_MUTEXES;
    CPYLOCK_UNBIND();
#else
    (void)t; (void)c; (void)m1; (void)m2;
#endif
    return 1;
}

// CPython.allowThreads: PyEval_ReleaseThread on the thread's current state,
// if it has one (it has inside a critical section), refused as in the
// bundled library when a section's mutex was unlocked outside it.
int
cpylock_thread_detach(cpylock_thread *t)
{
    t->detached = 1;
    t->released = NULL;
    PyThreadState *tstate = PyThreadState_GetUnchecked();
    if (tstate == NULL) {
        return 0;
    }
    if (tstate->critical_section != 0 && !cpylock_critical_sections_suspendable(tstate)) {
        return -1;
    }
    t->released = tstate;
    PyEval_ReleaseThread(tstate);
    return 0;
}

void
cpylock_thread_attach(cpylock_thread *t)
{
    if (t->released != NULL) {
        PyEval_AcquireThread(t->released);
        t->released = NULL;
    }
    t->detached = 0;
}

int
cpylock_thread_is_attached(cpylock_thread *t)
{
    return !t->detached;
}

// Inside CPython.allowThreads the OS thread has no current state; its
// sections stay in the state cpylock_thread_detach released, suspended.
uintptr_t
cpylock_thread_critical_section(cpylock_thread *t)
{
    PyThreadState *tstate = PyThreadState_GetUnchecked();
    if (tstate == NULL) {
        tstate = t->released;
    }
    return tstate != NULL ? tstate->critical_section : 0;
}

// The state of the thread that deletes the others (one thread, the Java
// cleaner's), created on it at its first deletion.
static PyThreadState *releaser = NULL;

void
cpylock_interpreter_thread_release(cpylock_thread *t)
{
    if (t->tstate == NULL || t->attached_for_sections) {
        return;
    }
    // Deleting a state needs a current one. Not PyGILState_Ensure's: deleting
    // a state bound to its (ended) OS thread's gilstate clears the gilstate of
    // the deleting thread, which PyGILState_Release would then miss.
    if (releaser == NULL) {
        releaser = PyThreadState_New(PyInterpreterState_Main());
    }
    PyEval_AcquireThread(releaser);
    PyThreadState_Clear(t->tstate);
    PyThreadState_Delete(t->tstate);
    PyEval_ReleaseThread(releaser);
    t->tstate = NULL;
}

/* ---- signals ------------------------------------------------------------- */

int
__wrap__PySemaphore_Wait(_PySemaphore *sema, PyTime_t timeout, int detach)
{
    return cpylock_raw_mutex_wait(sema, timeout, detach);
}

/* ---- interrupts: none (see the top of this file) ------------------------- */

int
cpylock_interrupts_install(int signo)
{
    (void)signo;
    return -1;
}

void
cpylock_thread_interrupt(cpylock_thread *t)
{
    (void)t;
}

int
cpylock_interrupts_stray(void)
{
    return 0;
}

struct interrupted_waiter {
    void *park_arg;        // the interrupted thread's
    void *const *others;   // other records of cpylock's, which may be marked
    size_t n_others;
    int dequeued;          // whether an unpark dequeued the interrupted thread
    int none_left;         // no waiter on the address, or one parked with NULL
};

static void
mark(void *park_arg, int value)
{
    *(int *)((char *)park_arg + CPYLOCK_UNPARK_MARK_OFFSET) = value;
}

// _Py_unpark_fn_t: runs under the bucket lock, before the waiter wakes.
static void
mark_unparked(void *arg, void *park_arg, int has_more_waiters)
{
    (void)has_more_waiters;  // counts the whole bucket, not the address
    struct interrupted_waiter *w = arg;
    w->none_left = park_arg == NULL;
    if (park_arg == NULL) {
        return;
    }
    if (park_arg == w->park_arg) {
        mark(park_arg, CPYLOCK_UNPARKED_FOR_INTERRUPT);
        w->dequeued = 1;
        return;
    }
    for (size_t i = 0; i < w->n_others; i++) {
        if (park_arg == w->others[i]) {
            mark(park_arg, CPYLOCK_UNPARKED_IN_PASSING);
            return;
        }
    }
}

int
cpylock_interpreter_unpark_interrupted(const void *address, void *park_arg, void *const *others,
                                       size_t n_others)
{
    struct interrupted_waiter w = {park_arg, others, n_others, 0, 0};
    while (!w.dequeued && !w.none_left) {
        _PyParkingLot_Unpark(address, mark_unparked, &w);
    }
    return w.dequeued;
}
