/*
 * raw_mutex_wait.h: the wait of lock.c's _PyRawMutex_LockSlow, made immune
 * to signals.
 *
 * _PyRawMutex_LockSlow waits with _PySemaphore_Wait(&waiter.sema, -1, 0)
 * and, whatever the result, loops and links its waiter entry into the
 * mutex's list again; a signal makes the wait fail with EINTR
 * (Py_PARK_INTR), leaving a dangling entry behind once the frame returns.
 * Both libraries are linked with -Wl,--wrap=_PySemaphore_Wait, so that
 * lock.c's one call of it (parking_lot.c's own calls are not redirected)
 * reaches a __wrap__PySemaphore_Wait that waits through this function:
 * until woken, never returning Py_PARK_INTR.
 */
#ifndef CPYLOCK_RAW_MUTEX_WAIT_H
#define CPYLOCK_RAW_MUTEX_WAIT_H

#include "Python.h"
#include "pycore_parking_lot.h"     // Py_PARK_INTR
#include "pycore_semaphore.h"

int __real__PySemaphore_Wait(_PySemaphore *sema, PyTime_t timeout, int detach);
int __wrap__PySemaphore_Wait(_PySemaphore *sema, PyTime_t timeout, int detach);

static inline int
cpylock_raw_mutex_wait(_PySemaphore *sema, PyTime_t timeout, int detach)
{
    int res;
    do {
        res = __real__PySemaphore_Wait(sema, timeout, detach);
    } while (res == Py_PARK_INTR);
    return res;
}

#endif /* CPYLOCK_RAW_MUTEX_WAIT_H */
