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
 *
 * It also looks at the semaphore CPYLOCK_RAW_MUTEX_SPINS times before it
 * blocks. A raw mutex is held for a few list operations (a parking-lot
 * bucket's, on every park and unpark), far shorter than a futex sleep and
 * wake-up; a thread that blocked at once would give its core away, and a
 * virtual thread's carrier with it, for a context switch each time two
 * threads meet on a bucket. The entry is linked in already, so the unlock
 * that pops it posts the semaphore as ever; only who takes the post
 * (sem_trywait here, or the blocking wait) differs.
 */
#ifndef CPYLOCK_RAW_MUTEX_WAIT_H
#define CPYLOCK_RAW_MUTEX_WAIT_H

#include "Python.h"
#include "pycore_parking_lot.h"     // Py_PARK_INTR
#include "pycore_semaphore.h"

int __real__PySemaphore_Wait(_PySemaphore *sema, PyTime_t timeout, int detach);
int __wrap__PySemaphore_Wait(_PySemaphore *sema, PyTime_t timeout, int detach);

#define CPYLOCK_RAW_MUTEX_SPINS 500

static inline void
cpylock_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static inline int
cpylock_raw_mutex_wait(_PySemaphore *sema, PyTime_t timeout, int detach)
{
#ifdef _Py_USE_SEMAPHORES
    for (int i = 0; i < CPYLOCK_RAW_MUTEX_SPINS; i++) {
        if (sem_trywait(&sema->platform_sem) == 0) {
            return Py_PARK_OK;
        }
        cpylock_cpu_relax();
    }
#endif
    int res;
    do {
        res = __real__PySemaphore_Wait(sema, timeout, detach);
    } while (res == Py_PARK_INTR);
    return res;
}

#endif /* CPYLOCK_RAW_MUTEX_WAIT_H */
