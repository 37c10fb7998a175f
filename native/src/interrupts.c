/*
 * interrupts.c: waking a thread from a wait, as a signal wakes a CPython
 * thread, and keeping signals away from code that is not written for them.
 *
 * parking_lot.c waits on a semaphore; a signal makes sem_wait fail with
 * EINTR (whatever SA_RESTART says), and _PyParkingLot_Park returns
 * Py_PARK_INTR after taking itself off its bucket's queue, or after waiting
 * for an unpark already under way. Every caller of _PyParkingLot_Park in the
 * three C files handles that result. An interrupt therefore marks the thread
 * (interrupt_pending) and, if the thread is in an interruptible wait, sends
 * the wake-up signal to the OS thread running it.
 *
 * Where a signal may land. Two kinds of semaphore wait exist in the library:
 * the park wait (_PySemaphore_Wait called by _PyParkingLot_Park, written for
 * EINTR as just said) and the raw-mutex wait (lock.c's _PyRawMutex_LockSlow:
 * the lock of every parking-lot bucket, of RawMutex, and of interrupt_lock
 * below), which is not, and which the link redirects to a wait that never
 * returns early, whatever signal arrives: the wake-up signal, a profiler's
 * SIGPROF, the JVM's SIGQUIT (raw_mutex_wait.h).
 *
 * The wake-up signal itself is delivered only inside a park wait. A thread
 * blocks it (pthread_sigmask) on entering its first interruptible wait and
 * never unblocks it, except in the semaphore call of a park wait made while
 * the thread is in an interruptible wait (the library is also linked with
 * --wrap for sem_wait, sem_clockwait and sem_timedwait, which parking_lot.c
 * calls and nothing else in the library does). The signal is sent only to a
 * thread in an interruptible wait, under its interrupt_lock, which the thread
 * also takes to enter and leave the wait; so the receiver is alive, has the
 * signal blocked, and either takes it inside a park's semaphore call or holds
 * it pending (blocked) until it leaves the wait, when it takes what is left
 * pending with sigtimedwait. It never runs in the JVM, in a raw-mutex wait,
 * or anywhere else in the library. The handler counts any delivery that
 * breaks this rule (cpylock_interrupts_stray), which tests check stays 0.
 *
 * A signal taken just before the semaphore call blocks is lost; the caller
 * sends the interrupt again while the thread stays in its wait (the Java
 * facade does so every few milliseconds).
 */
#include "raw_mutex_wait.h"
#include "thread_binding.h"

#include <errno.h>
#include <semaphore.h>
#include <signal.h>
#include <string.h>
#include <time.h>

static int wakeup_signal = 0;
static int stray_signals = 0;

// What the calling OS thread is doing, as bits. Initial-exec: the signal
// handler reads it, and a thread-local of that model never allocates.
#define IN_INTERRUPTIBLE_WAIT 1  // between cpylock_interruptible_begin and _end
#define IN_RAW_MUTEX_WAIT     2  // inside __wrap__PySemaphore_Wait
#define IN_PARK_SEMAPHORE     4  // the wake-up signal is unblocked
#define SIGNAL_BLOCKED        8  // this OS thread has blocked the wake-up signal
static _Py_thread_local int wait_state __attribute__((tls_model("initial-exec"))) = 0;

static void
on_wakeup_signal(int signo)
{
    (void)signo;
    // Its only effect is to interrupt the semaphore call; anywhere else it
    // breaks the rule above.
    if ((wait_state & IN_PARK_SEMAPHORE) == 0) {
        _Py_atomic_add_int(&stray_signals, 1);
    }
}

int
cpylock_interrupts_install(int signo)
{
    if (signo == 0) {
        signo = SIGRTMIN + 4;
    }
    if (signo <= 0 || signo > SIGRTMAX) {
        return -1;
    }
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = on_wakeup_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: semaphore waits fail with EINTR
    if (sigaction(signo, &action, NULL) != 0) {
        return -1;
    }
    _Py_atomic_store_int(&wakeup_signal, signo);
    return signo;
}

int
cpylock_interrupts_stray(void)
{
    return _Py_atomic_load_int(&stray_signals);
}

static void
set_wakeup_signal_blocked(int how)
{
    int signo = _Py_atomic_load_int_relaxed(&wakeup_signal);
    if (signo != 0) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, signo);
        pthread_sigmask(how, &set, NULL);
    }
}

void
cpylock_interruptible_begin(cpylock_thread *t)
{
    if ((wait_state & SIGNAL_BLOCKED) == 0) {
        set_wakeup_signal_blocked(SIG_BLOCK);
        wait_state |= SIGNAL_BLOCKED;
    }
    wait_state |= IN_INTERRUPTIBLE_WAIT;
    _PyRawMutex_Lock(&t->interrupt_lock);
    t->os_thread = pthread_self();
    t->waiting = 1;
    _PyRawMutex_Unlock(&t->interrupt_lock);
}

// Takes every wake-up signal still pending (blocked) for this OS thread, so
// that none is left to be delivered when someone else unblocks it: HotSpot,
// for one, restores a thread's creation-time signal mask when the thread
// ends (os::free_thread).
static void
drain_wakeup_signals(void)
{
    int signo = _Py_atomic_load_int_relaxed(&wakeup_signal);
    if (signo == 0) {
        return;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signo);
    struct timespec now = {0, 0};
    while (sigtimedwait(&set, NULL, &now) == signo) {
    }
}

int
cpylock_interruptible_end(cpylock_thread *t)
{
    _PyRawMutex_Lock(&t->interrupt_lock);
    t->waiting = 0;
    _PyRawMutex_Unlock(&t->interrupt_lock);
    // No signal is sent to t from here on; those sent before are pending now.
    drain_wakeup_signals();
    wait_state &= ~IN_INTERRUPTIBLE_WAIT;
    return _Py_atomic_exchange_int(&t->interrupt_pending, 0);
}

void
cpylock_thread_interrupt(cpylock_thread *t)
{
    _PyRawMutex_Lock(&t->interrupt_lock);
    _Py_atomic_store_int(&t->interrupt_pending, 1);
    int signo = _Py_atomic_load_int(&wakeup_signal);
    if (t->waiting && signo != 0) {
        pthread_kill(t->os_thread, signo);
    }
    _PyRawMutex_Unlock(&t->interrupt_lock);
}

/* ---- link-time wrappers (see the top of this file) ---------------------- */

int __real_sem_wait(sem_t *sem);
int __real_sem_timedwait(sem_t *sem, const struct timespec *abstime);

// lock.c's _PyRawMutex_LockSlow waits here (raw_mutex_wait.h), marked so
// that the semaphore wrappers below keep the wake-up signal out.
int
__wrap__PySemaphore_Wait(_PySemaphore *sema, PyTime_t timeout, int detach)
{
    int outer = wait_state & IN_RAW_MUTEX_WAIT;
    wait_state |= IN_RAW_MUTEX_WAIT;
    int res = cpylock_raw_mutex_wait(sema, timeout, detach);
    wait_state = (wait_state & ~IN_RAW_MUTEX_WAIT) | outer;
    return res;
}

// Whether the semaphore call about to be made is a park wait of an
// interruptible wait, the one place the wake-up signal is let in.
static int
park_semaphore_interruptible(void)
{
    return (wait_state & (IN_INTERRUPTIBLE_WAIT | IN_RAW_MUTEX_WAIT)) == IN_INTERRUPTIBLE_WAIT;
}

static void
enter_park_semaphore(void)
{
    wait_state |= IN_PARK_SEMAPHORE;
    set_wakeup_signal_blocked(SIG_UNBLOCK);
}

static void
leave_park_semaphore(void)
{
    int saved = errno;
    set_wakeup_signal_blocked(SIG_BLOCK);
    wait_state &= ~IN_PARK_SEMAPHORE;
    errno = saved;
}

int
__wrap_sem_wait(sem_t *sem)
{
    if (!park_semaphore_interruptible()) {
        return __real_sem_wait(sem);
    }
    enter_park_semaphore();
    int res = __real_sem_wait(sem);
    leave_park_semaphore();
    return res;
}

#ifdef HAVE_SEM_CLOCKWAIT
int __real_sem_clockwait(sem_t *sem, clockid_t clock, const struct timespec *abstime);

int
__wrap_sem_clockwait(sem_t *sem, clockid_t clock, const struct timespec *abstime)
{
    if (!park_semaphore_interruptible()) {
        return __real_sem_clockwait(sem, clock, abstime);
    }
    enter_park_semaphore();
    int res = __real_sem_clockwait(sem, clock, abstime);
    leave_park_semaphore();
    return res;
}
#endif

int
__wrap_sem_timedwait(sem_t *sem, const struct timespec *abstime)
{
    if (!park_semaphore_interruptible()) {
        return __real_sem_timedwait(sem, abstime);
    }
    enter_park_semaphore();
    int res = __real_sem_timedwait(sem, abstime);
    leave_park_semaphore();
    return res;
}
