/*
 * cpylock_bundled.h: the functions only the bundled library has, for a
 * waiter that must not block an OS thread in C: a Java virtual thread, which
 * waits in Java between the steps below, in CPython's parking lot and
 * critical sections as any other thread. split_park.c and thread_states.c
 * define them.
 */
#ifndef CPYLOCK_BUNDLED_H
#define CPYLOCK_BUNDLED_H

#include "cpylock.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- waiter slots and the parking lot ------------------------------------- */
/* Such a waiter parks in two halves, around its own wait, on an entry of a
 * waiter slot that CPython's parking lot queues as any other (split_park.c).
 * Unparkers wake such an entry by calling back into Java instead of posting
 * a semaphore. */

typedef struct cpylock_waiter cpylock_waiter;

/* Reserves the waiter slots' address range and registers `wake`, which is
 * called with a slot's index on the unparker's thread each time an unparker
 * wakes that slot's entry (after counting the wake-up in the slot). Returns
 * 0, or -1 if the range cannot be reserved. */
int cpylock_waiters_install(void (*wake)(int));

/* A free waiter slot, zeroed, or NULL if none is left (or the range is not
 * reserved). */
cpylock_waiter *cpylock_waiter_new(void);

/* Gives a slot back; its owner waits on nothing. */
void cpylock_waiter_free(cpylock_waiter *w);

/* The slot's index, as the wake callback receives it. */
int cpylock_waiter_index(cpylock_waiter *w);

/* Where, in a slot, the counts of wake-ups not yet taken are (ints that the
 * waiter takes with an atomic decrement): of its wait entry, and of the
 * entry a waiter links into a _PyRawMutex word (laid out as lock.c's struct
 * raw_mutex_entry), which is also there. */
size_t cpylock_offsetof_waiter_posts(void);
size_t cpylock_offsetof_waiter_raw_posts(void);
size_t cpylock_offsetof_waiter_raw_entry(void);

/* The lock of the bucket that queues addr's waiters: a _PyRawMutex, which the
 * caller locks itself (as _PyRawMutex_Lock does) before either half below;
 * each half unlocks it. */
void *cpylock_park_bucket_lock(const void *addr);

/* The first half of _PyParkingLot_Park (parking_lot.c) for w, the bucket's
 * lock held: compares the `size` bytes at addr with `expected` (as in
 * cpylock_PyParkingLot_Park) and enqueues w's entry with park_arg. Returns
 * Py_PARK_AGAIN if the value differs (nothing is enqueued), else Py_PARK_OK:
 * the entry is queued until an unparker wakes it (counting a post). */
int cpylock_park_begin_locked(cpylock_waiter *w, const void *addr, uint64_t expected,
                              size_t size, void *park_arg);

/* The second half, for a wait that ended without a post (timed out, or
 * interrupted), the bucket's lock held: takes the entry off its queue and
 * returns 0, unless an unparker has already taken it, when it returns 1 and
 * a post is on its way, which the waiter must wait for. */
int cpylock_park_cancel_locked(cpylock_waiter *w);

/* ---- critical sections ---------------------------------------------------- */

/* Every step that CPython takes around a PyMutex_Lock of a section's mutex,
 * without that lock, which the caller makes itself (free-threaded flavour;
 * nothing is locked or pushed in the default one).
 *
 * _PyCriticalSection_BeginMutex: returns 1 if m was free and the section is
 * begun; else 0, with the section pushed as _PyCriticalSection_BeginSlow
 * pushes it before it locks (no mutex in it yet): the caller locks m, then
 * calls cpylock_critical_section_resume_put with {m, NULL}. */
int cpylock_PyCriticalSection_BeginMutexOrPush(cpylock_thread *t, PyCriticalSection *c,
                                               PyMutex *m);

/* _PyCriticalSection2_BeginMutex: returns 1 if the section is begun; else
 * pushes it as _PyCriticalSection2_BeginSlow does and writes its two mutexes
 * in the order they are locked to mutexes[0..1] (mutexes[1] NULL if both are
 * the same), and returns 0 if the caller locks both, 2 if only the second
 * (the first was free and is locked); the caller then calls
 * cpylock_critical_section_resume_put with the two. */
int cpylock_PyCriticalSection2_BeginMutexOrPush(cpylock_thread *t, PyCriticalSection2 *c,
                                                PyMutex *m1, PyMutex *m2, PyMutex **mutexes);

/* PyEval_AcquireThread without the waits of the resumption of the innermost
 * critical section: marks t attached, and returns 1 if that section is
 * suspended (the caller resumes it with the two functions below), else 0. */
int cpylock_thread_attach_deferred(cpylock_thread *t);

/* _PyCriticalSection_Resume in two halves. The first takes the innermost
 * section's mutexes out of it into mutexes[0..1] (NULL where it has none);
 * the caller locks the ones that are not NULL, in that order; the second puts
 * mutexes[0..1] into the innermost section and marks it active. */
void cpylock_critical_section_resume_take(cpylock_thread *t, PyMutex **mutexes);
void cpylock_critical_section_resume_put(cpylock_thread *t, PyMutex **mutexes);

/* cpylock_PyCriticalSection_EndChecked and its two-mutex form without the
 * resumption: -1 as those; else 1 if the section below, now innermost, is
 * suspended (the caller resumes it with the two functions above), else 0. */
int cpylock_PyCriticalSection_EndCheckedDeferred(cpylock_thread *t, PyCriticalSection *c);
int cpylock_PyCriticalSection2_EndCheckedDeferred(cpylock_thread *t, PyCriticalSection2 *c);

#ifdef __cplusplus
}
#endif

#endif /* CPYLOCK_BUNDLED_H */
