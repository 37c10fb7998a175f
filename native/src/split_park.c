/*
 * split_park.c: CPython's Python/parking_lot.c, compiled here unmodified
 * (included below, so that its buckets and queue functions are in reach),
 * and a park in two halves for a waiter that must not block an OS thread in
 * C: a Java virtual thread, which parks in Java between the halves.
 *
 * _PyParkingLot_Park compares the value and enqueues a wait entry under its
 * bucket's lock, blocks on the entry's semaphore, and, if the wait ended
 * without a wake-up, takes the entry off the queue again under the lock
 * unless an unparker has already taken it (then it waits for that wake-up).
 * cpylock_park_begin_locked and cpylock_park_cancel_locked are the steps on
 * either side of the block, on an entry of a waiter slot (below) instead of
 * the stack, with the bucket's lock taken by the caller
 * (cpylock_park_bucket_lock): a Java waiter takes that _PyRawMutex as
 * _PyRawMutex_Lock does, with its slot's raw-mutex entry, and parks in Java
 * while another thread holds it, so that no half blocks in C. The entry is
 * CPython's struct wait_entry in CPython's queue, so unparkers
 * (_PyParkingLot_Unpark, _PyParkingLot_UnparkAll, and every lock.c function
 * that calls them) treat it as any other: same bucket, same FIFO order, same
 * has-more count, same park argument.
 *
 * Waiter slots. Unparkers wake an entry with _PySemaphore_Wakeup, that is
 * sem_post on its semaphore. A slot's semaphores are never initialized or
 * waited on: the library is linked with --wrap=sem_post, and the wrapper
 * recognizes a slot's semaphore by its address, inside one reserved range of
 * slots, and counts the wake-up in the slot (posts) and reports it to Java
 * (the callback cpylock_waiters_install registers), instead of posting. The
 * same holds, with a count of its own (raw_posts), for a slot's raw-mutex
 * entry, laid out as lock.c's struct raw_mutex_entry, which a waiter links
 * into a _PyRawMutex word and _PyRawMutex_UnlockSlow wakes: a waiter that
 * cancels its park waits for the bucket's lock while an unparker may already
 * be posting its wait entry, and C's two semaphores are two counts here. A
 * slot belongs to one Java thread at a time.
 */
#include "parking_lot.c"

#include "cpylock_bundled.h"
#include "thread_binding.h"

#include <sys/mman.h>

// lock.c's struct raw_mutex_entry, which that file keeps to itself.
struct cpylock_raw_entry {
    struct cpylock_raw_entry *next;
    _PySemaphore sema;
};

struct cpylock_waiter {
    struct wait_entry entry;
    struct cpylock_raw_entry raw;
    // Wake-ups of entry and of raw counted and not yet taken (see the top).
    int posts;
    int raw_posts;
    // The slot's number, which Java's callback receives.
    int index;
    // The next free slot, while this one is free.
    struct cpylock_waiter *next_free;
};

// The reserved range: address space for this many slots, committed in
// chunks as slots are first used.
#define WAITER_SLOTS (1 << 22)
#define CHUNK_BYTES (1 << 16)

static struct cpylock_waiter *slots;
static size_t committed_bytes;
static int used_slots;
static struct cpylock_waiter *free_slots;
static _PyRawMutex slots_lock;
static void (*wake_callback)(int);

int
cpylock_waiters_install(void (*wake)(int))
{
    _PyRawMutex_Lock(&slots_lock);
    if (slots == NULL) {
        void *range = mmap(NULL, (size_t)WAITER_SLOTS * sizeof(struct cpylock_waiter), PROT_NONE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (range != MAP_FAILED) {
            slots = range;
        }
    }
    if (slots != NULL) {
        _Py_atomic_store_ptr_release(&wake_callback, (void *)wake);
    }
    _PyRawMutex_Unlock(&slots_lock);
    return slots != NULL ? 0 : -1;
}

cpylock_waiter *
cpylock_waiter_new(void)
{
    _PyRawMutex_Lock(&slots_lock);
    struct cpylock_waiter *w = free_slots;
    if (w != NULL) {
        free_slots = w->next_free;
    }
    else if (slots != NULL && used_slots < WAITER_SLOTS) {
        size_t end = (size_t)(used_slots + 1) * sizeof(struct cpylock_waiter);
        if (end > committed_bytes) {
            size_t chunk = (end - committed_bytes + CHUNK_BYTES - 1) / CHUNK_BYTES * CHUNK_BYTES;
            if (mprotect((char *)slots + committed_bytes, chunk, PROT_READ | PROT_WRITE) == 0) {
                committed_bytes += chunk;
            }
        }
        if (end <= committed_bytes) {
            w = &slots[used_slots];
            w->index = used_slots++;
        }
    }
    _PyRawMutex_Unlock(&slots_lock);
    if (w != NULL) {
        int index = w->index;
        memset(w, 0, sizeof(*w));
        w->index = index;
    }
    return w;
}

void
cpylock_waiter_free(cpylock_waiter *w)
{
    _PyRawMutex_Lock(&slots_lock);
    w->next_free = free_slots;
    free_slots = w;
    _PyRawMutex_Unlock(&slots_lock);
}

int
cpylock_waiter_index(cpylock_waiter *w)
{
    return w->index;
}

size_t
cpylock_offsetof_waiter_posts(void)
{
    return offsetof(struct cpylock_waiter, posts);
}

size_t
cpylock_offsetof_waiter_raw_posts(void)
{
    return offsetof(struct cpylock_waiter, raw_posts);
}

size_t
cpylock_offsetof_waiter_raw_entry(void)
{
    return offsetof(struct cpylock_waiter, raw);
}

// The slot whose semaphore `sem` is, or NULL: sem_post's wrapper below.
static struct cpylock_waiter *
waiter_of_semaphore(const sem_t *sem)
{
    const char *base = (const char *)slots;
    const char *at = (const char *)sem;
    if (base == NULL || at < base || at >= base + (size_t)WAITER_SLOTS * sizeof(struct cpylock_waiter)) {
        return NULL;
    }
    return &slots[(size_t)(at - base) / sizeof(struct cpylock_waiter)];
}

int __real_sem_post(sem_t *sem);

int
__wrap_sem_post(sem_t *sem)
{
    struct cpylock_waiter *w = waiter_of_semaphore(sem);
    if (w == NULL) {
        return __real_sem_post(sem);
    }
    // The index first: once the post is counted, the waiter may go on and
    // give the slot up (a later owner's spurious wake-up is harmless).
    int index = w->index;
    _Py_atomic_add_int((const void *)sem == (const void *)&w->raw.sema ? &w->raw_posts : &w->posts, 1);
    void (*wake)(int) = (void (*)(int))_Py_atomic_load_ptr_acquire(&wake_callback);
    wake(index);
    return 0;
}

void *
cpylock_park_bucket_lock(const void *addr)
{
    return &buckets[((uintptr_t)addr) % NUM_BUCKETS].mutex;
}

int
cpylock_park_begin_locked(cpylock_waiter *w, const void *addr, uint64_t expected, size_t size, void *park_arg)
{
    Bucket *bucket = &buckets[((uintptr_t)addr) % NUM_BUCKETS];
    cpylock_park_value value;
    if (!cpylock_park_value_of(expected, size, &value)) {
        _PyRawMutex_Unlock(&bucket->mutex);
        return Py_PARK_AGAIN;  // the caller checks the size first
    }
    struct wait_entry *wait = &w->entry;
    wait->park_arg = park_arg;
    wait->addr = (uintptr_t)addr;
    wait->is_unparking = false;

    if (!atomic_memcmp(addr, &value, size)) {
        _PyRawMutex_Unlock(&bucket->mutex);
        return Py_PARK_AGAIN;
    }
    enqueue(bucket, addr, wait);
    _PyRawMutex_Unlock(&bucket->mutex);
    return Py_PARK_OK;
}

int
cpylock_park_cancel_locked(cpylock_waiter *w)
{
    struct wait_entry *wait = &w->entry;
    Bucket *bucket = &buckets[wait->addr % NUM_BUCKETS];
    int unparking = wait->is_unparking;
    if (!unparking) {
        llist_remove(&wait->node);
        --bucket->num_waiters;
    }
    _PyRawMutex_Unlock(&bucket->mutex);
    return unparking;
}
