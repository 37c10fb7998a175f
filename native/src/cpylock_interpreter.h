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

/* 1 if the calling thread's current state, if any, can be detached: the
 * mutexes of its active critical sections are locked (the interpreter's
 * detach unlocks them, and aborts on one that is not); else 0. The library's
 * waits with a detach flag clear the flag instead; the facade refuses the
 * others (the interpreter's own RWMutex, recursive mutex, once-flag and
 * contended section waits detach unasked). */
int cpylock_interpreter_detachable(void);

/* Deletes the PyThreadState t created, if any, once t's Java thread has
 * ended; a state still attached (its thread ended inside a critical section)
 * is left alone. Called from one thread, always the same (not t's). */
void cpylock_interpreter_thread_release(cpylock_thread *t);

#ifdef __cplusplus
}
#endif

#endif /* CPYLOCK_INTERPRETER_H */
