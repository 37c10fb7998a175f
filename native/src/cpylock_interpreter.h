/*
 * cpylock_interpreter.h: what the interpreter library
 * (libcpylock-interpreter-<flavour>, interpreter.c) has besides the
 * functions of cpylock.h, which it implements over a libpython that is in
 * the process: Java and Python threads then share that interpreter's
 * parking lot, state bytes and critical-section rules.
 */
#ifndef CPYLOCK_INTERPRETER_H
#define CPYLOCK_INTERPRETER_H

#include "cpylock.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Initializes the interpreter unless Py_IsInitialized(): from a PyConfig
 * with CPython's defaults (PYTHONHOME and the other variables honoured),
 * `home` as PyConfig.home when not NULL, and no signal handlers; the calling
 * thread is left detached. Returns 1 if it initialized the interpreter, 0 if
 * it was initialized already, -1 on failure (cpylock_interpreter_error). */
int cpylock_interpreter_start(const char *home);

/* Why cpylock_interpreter_start failed, or "". */
const char *cpylock_interpreter_error(void);

/* Runs `source` in __main__ on the calling OS thread, which holds a thread
 * state of the interpreter for the call (PyGILState_Ensure, then
 * PyRun_SimpleString, then PyGILState_Release). Returns 0, or -1 if the code
 * raised (the traceback is printed to standard error). The thread must not
 * hold a thread state already (a critical section's). */
int cpylock_interpreter_run(const char *source);

/* 1 if the calling thread's current state, if any, can be detached: the
 * mutexes of its active critical sections are locked (the interpreter's
 * detach unlocks them, and aborts on one that is not); else 0. The library's
 * waits with a detach flag clear the flag instead; the facade refuses the
 * others (the interpreter's own RWMutex, recursive mutex, once-flag and
 * contended section waits detach unasked). */
int cpylock_interpreter_detachable(void);

/* _PyCriticalSection_BeginMutex and _PyCriticalSection2_BeginMutex on free
 * mutexes only (PyMutex_LockFast, the headers' inline path, which suspends
 * nothing), for a thread whose sections cannot be suspended: 1 if the
 * section is begun; else 0, with nothing locked or pushed (a begin that has
 * to wait detaches the thread, and the interpreter would abort). */
int cpylock_interpreter_begin_if_free(cpylock_thread *t, PyCriticalSection *c, PyMutex *m);
int cpylock_interpreter_begin2_if_free(cpylock_thread *t, PyCriticalSection2 *c, PyMutex *m1, PyMutex *m2);

/* Where in a park record (park_arg) cpylock_interpreter_unpark_interrupted
 * writes what it did: the four bytes after struct mutex_entry's
 * handed_off, its padding. */
#define CPYLOCK_UNPARK_MARK_OFFSET 12
/* The marks: unparked for its interrupt, unparked on the way to another. */
#define CPYLOCK_UNPARKED_FOR_INTERRUPT 1
#define CPYLOCK_UNPARKED_IN_PASSING 2

/* Unparks, for an interrupt, the thread parked on `address` with
 * `park_arg` (a 16-byte park record, laid out as lock.c's struct
 * mutex_entry): unparks the threads parked there one at a time, first
 * parked first (_PyParkingLot_Unpark), until that one, whose record it
 * marks CPYLOCK_UNPARKED_FOR_INTERRUPT before it wakes. The threads ahead
 * of it wake without cause and look again; those whose park_arg is one of
 * the `n_others` records in `others` are marked
 * CPYLOCK_UNPARKED_IN_PASSING (no other park_arg is written). It stops
 * early at a waiter parked with a NULL argument. Returns 1 if it unparked
 * that thread, 0 if it did not find it (not parked yet, or woken already). */
int cpylock_interpreter_unpark_interrupted(const void *address, void *park_arg, void *const *others,
                                           size_t n_others);

/* Deletes the PyThreadState t created, if any, once t's Java thread has
 * ended; a state still attached (its thread ended inside a critical section)
 * is left alone. Called from one thread, always the same (not t's). */
void cpylock_interpreter_thread_release(cpylock_thread *t);

#ifdef __cplusplus
}
#endif

#endif /* CPYLOCK_INTERPRETER_H */
