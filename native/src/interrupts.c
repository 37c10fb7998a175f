/*
 * interrupts.c: waking a thread from a wait, as a signal wakes a CPython
 * thread.
 *
 * parking_lot.c waits on a semaphore; a signal makes sem_wait fail with
 * EINTR (whatever SA_RESTART says), and the wait returns Py_PARK_INTR. An
 * interrupt therefore marks the thread (interrupt_pending) and, if the thread
 * is in an interruptible wait, sends the wake-up signal to the OS thread
 * running it. The marking and the sending happen under the thread's
 * interrupt_lock, which the waiting thread also takes to leave the wait, so
 * the signal never reaches a thread that has left it (or has exited).
 *
 * A signal that arrives just before the thread blocks is lost; the caller
 * sends the interrupt again while the thread stays in its wait (the Java
 * facade does so every few milliseconds).
 */
#include "thread_binding.h"

#include <signal.h>
#include <string.h>

static int wakeup_signal = 0;

static void
on_wakeup_signal(int signo)
{
    (void)signo;  // its only effect is to interrupt the wait
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

void
cpylock_interruptible_begin(cpylock_thread *t)
{
    _PyRawMutex_Lock(&t->interrupt_lock);
    t->os_thread = pthread_self();
    t->waiting = 1;
    _PyRawMutex_Unlock(&t->interrupt_lock);
}

int
cpylock_interruptible_end(cpylock_thread *t)
{
    _PyRawMutex_Lock(&t->interrupt_lock);
    t->waiting = 0;
    _PyRawMutex_Unlock(&t->interrupt_lock);
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
