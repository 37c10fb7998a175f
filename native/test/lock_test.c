/*
 * lock_test.c: the scenarios of CPython's Modules/_testinternalcapi/test_lock.c
 * (basic, two_threads, counter, counter_slow, once, rwlock, recursive), run in
 * C against one flavour of libcpylock, with the same thread counts,
 * iterations and state-word checks; then those of test_critical_sections.c
 * (critical_sections, nest, suspend, threads), through the library's
 * thread-state wrappers, and the parking lot and sequence lock. Checks stay
 * active in release builds. The program is also what the sanitizer and
 * valgrind builds run (see CMakeLists.txt).
 *
 *   lock_test [scenario ...]     (all scenarios when none is named)
 *   lock_test --no-storms        (all but the signal storms)
 */
#include "cpylock_bundled.h"
#include "pycore_pythread.h"       // PyThread_get_thread_ident_ex

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *current_scenario = "?";

#define CHECK(cond)                                                         \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "%s: %s:%d: check failed: %s\n",                \
                    current_scenario, __FILE__, __LINE__, #cond);           \
            exit(1);                                                        \
        }                                                                   \
    } while (0)

#define CHECK_EQ(actual, expected)                                          \
    do {                                                                    \
        unsigned long long a_ = (unsigned long long)(actual);               \
        unsigned long long e_ = (unsigned long long)(expected);             \
        if (a_ != e_) {                                                     \
            fprintf(stderr, "%s: %s:%d: %s is %llu, expected %llu\n",       \
                    current_scenario, __FILE__, __LINE__, #actual, a_, e_); \
            exit(1);                                                        \
        }                                                                   \
    } while (0)

static void
sleep_ms(int ms)
{
    usleep((useconds_t)ms * 1000);
}

static pthread_t
start_thread(void *(*fn)(void *), void *arg)
{
    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, fn, arg) == 0);
    return thread;
}

static uint8_t
load_u8(uint8_t *p)
{
    return _Py_atomic_load_uint8(p);
}

/* ---- basic: one thread locks and unlocks, bits 1 then 0 -------------------- */

static void
test_basic(void)
{
    PyMutex m = (PyMutex){0};
    PyMutex_Lock(&m);
    CHECK_EQ(m._bits, 1);
    PyMutex_Unlock(&m);
    CHECK_EQ(m._bits, 0);
}

/* ---- two_threads: a second thread parks, bits reach 3 ---------------------- */

struct two_threads {
    PyMutex m;
    PyEvent done;
    int started;
};

static void *
two_threads_locker(void *arg)
{
    struct two_threads *data = arg;
    _Py_atomic_store_int(&data->started, 1);
    PyMutex_Lock(&data->m);
    CHECK_EQ(load_u8(&data->m._bits), 1);
    PyMutex_Unlock(&data->m);
    CHECK_EQ(load_u8(&data->m._bits), 0);
    _PyEvent_Notify(&data->done);
    return NULL;
}

static void
test_two_threads(void)
{
    struct two_threads data;
    memset(&data, 0, sizeof(data));

    PyMutex_Lock(&data.m);
    CHECK_EQ(data.m._bits, 1);
    pthread_t thread = start_thread(two_threads_locker, &data);

    // Give the second thread up to two seconds to park on the mutex.
    uint8_t v;
    int iters = 0;
    do {
        sleep_ms(10);
        v = load_u8(&data.m._bits);
        CHECK(v == 1 || v == 3);
        iters++;
    } while (v != 3 && iters < 200);
    CHECK_EQ(v, 3);

    PyMutex_Unlock(&data.m);
    PyEvent_Wait(&data.done);
    CHECK_EQ(load_u8(&data.m._bits), 0);
    pthread_join(thread, NULL);
}

/* ---- counter and counter_slow: 5 threads share one counter --------------- */

#define COUNTER_THREADS 5
#define COUNTER_ITERS 10000
#define SLOW_COUNTER_ITERS 100

struct counter {
    PyMutex m;
    long long value;
    int slow;
};

struct counter_thread {
    struct counter *counter;
    PyEvent done;
};

static void *
counter_worker(void *arg)
{
    struct counter_thread *me = arg;
    struct counter *c = me->counter;
    int iters = c->slow ? SLOW_COUNTER_ITERS : COUNTER_ITERS;
    for (int i = 0; i < iters; i++) {
        PyMutex_Lock(&c->m);
        if (c->slow && i % 7 == 0) {
            // A "long" critical section: waiters park for over 1 ms, so the
            // unlock hands the mutex off to them.
            sleep_ms(2);
        }
        c->value++;
        PyMutex_Unlock(&c->m);
    }
    _PyEvent_Notify(&me->done);
    return NULL;
}

static void
run_counter(int slow)
{
    struct counter c;
    memset(&c, 0, sizeof(c));
    c.slow = slow;
    struct counter_thread threads[COUNTER_THREADS];
    memset(threads, 0, sizeof(threads));
    pthread_t ids[COUNTER_THREADS];

    for (int i = 0; i < COUNTER_THREADS; i++) {
        threads[i].counter = &c;
        ids[i] = start_thread(counter_worker, &threads[i]);
    }
    for (int i = 0; i < COUNTER_THREADS; i++) {
        PyEvent_Wait(&threads[i].done);
        pthread_join(ids[i], NULL);
    }
    CHECK_EQ(c.value, COUNTER_THREADS * (slow ? SLOW_COUNTER_ITERS : COUNTER_ITERS));
    CHECK_EQ(c.m._bits, 0);
}

static void
test_counter(void)
{
    run_counter(0);
}

static void
test_counter_slow(void)
{
    run_counter(1);
}

/* ---- once: four failures, then one success ---------------------------------- */

static int
init_fails_four_times(void *arg)
{
    int *calls = arg;
    (*calls)++;
    return *calls < 5 ? -1 : 0;
}

static void
test_once(void)
{
    _PyOnceFlag once = {0};
    int calls = 0;
    for (int i = 0; i < 10; i++) {
        int res = _PyOnceFlag_CallOnce(&once, init_fails_four_times, &calls);
        if (i < 4) {
            CHECK_EQ(res, -1);
            CHECK_EQ(once.v, 0);  // failure resets the flag
        }
        else {
            CHECK_EQ(res, 0);
            CHECK_EQ(calls, 5);
            CHECK_EQ(once.v, 4);  // _Py_ONCE_INITIALIZED
        }
    }
}

/* ---- rwlock: bits 8 -> 10 -> 3 -> 8 -> 0 -------------------------------------- */

struct rwlock_data {
    Py_ssize_t nthreads;
    _PyRWMutex rw;
    PyEvent step1;
    PyEvent step2;
    PyEvent step3;
    PyEvent done;
};

static void
rwlock_thread_done(struct rwlock_data *data)
{
    if (_Py_atomic_add_ssize(&data->nthreads, -1) == 1) {
        _PyEvent_Notify(&data->done);
    }
}

static void *
rwlock_reader(void *arg)
{
    struct rwlock_data *data = arg;
    _PyRWMutex_RLock(&data->rw);
    PyEvent_Wait(&data->step1);
    _PyRWMutex_RUnlock(&data->rw);

    _PyRWMutex_RLock(&data->rw);
    PyEvent_Wait(&data->step3);
    _PyRWMutex_RUnlock(&data->rw);
    rwlock_thread_done(data);
    return NULL;
}

static void *
rwlock_writer(void *arg)
{
    struct rwlock_data *data = arg;
    _PyRWMutex_Lock(&data->rw);
    PyEvent_Wait(&data->step2);
    _PyRWMutex_Unlock(&data->rw);
    rwlock_thread_done(data);
    return NULL;
}

// Waits up to two seconds for the word to reach `value`, then checks it.
static void
expect_rw_bits(uintptr_t *bits, uintptr_t value)
{
    uintptr_t v;
    int iters = 0;
    do {
        sleep_ms(10);
        v = _Py_atomic_load_uintptr(bits);
        iters++;
    } while (v != value && iters < 200);
    CHECK_EQ(v, value);
}

static void
test_rwlock(void)
{
    struct rwlock_data data;
    memset(&data, 0, sizeof(data));
    data.nthreads = 3;

    _PyRWMutex_Lock(&data.rw);
    CHECK_EQ(data.rw.bits, 1);
    _PyRWMutex_Unlock(&data.rw);
    CHECK_EQ(data.rw.bits, 0);

    pthread_t readers[2];
    readers[0] = start_thread(rwlock_reader, &data);
    readers[1] = start_thread(rwlock_reader, &data);
    expect_rw_bits(&data.rw.bits, 8);      // two readers

    pthread_t writer = start_thread(rwlock_writer, &data);
    expect_rw_bits(&data.rw.bits, 10);     // two readers, a parked writer

    _PyEvent_Notify(&data.step1);
    expect_rw_bits(&data.rw.bits, 3);      // writer holds it, readers parked

    _PyEvent_Notify(&data.step2);
    expect_rw_bits(&data.rw.bits, 8);      // readers again

    _PyEvent_Notify(&data.step3);
    expect_rw_bits(&data.rw.bits, 0);

    PyEvent_Wait(&data.done);
    pthread_join(readers[0], NULL);
    pthread_join(readers[1], NULL);
    pthread_join(writer, NULL);
}

/* ---- recursive: owner, level, release --------------------------------------- */

static void
test_recursive(void)
{
    _PyRecursiveMutex m = (_PyRecursiveMutex){0};
    CHECK(!_PyRecursiveMutex_IsLockedByCurrentThread(&m));

    _PyRecursiveMutex_Lock(&m);
    CHECK_EQ(m.thread, PyThread_get_thread_ident_ex());
    CHECK(cpylock_PyMutex_IsLocked(&m.mutex));
    CHECK_EQ(m.level, 0);

    _PyRecursiveMutex_Lock(&m);
    CHECK_EQ(m.level, 1);
    _PyRecursiveMutex_Unlock(&m);

    _PyRecursiveMutex_Unlock(&m);
    CHECK_EQ(m.thread, 0);
    CHECK(!cpylock_PyMutex_IsLocked(&m.mutex));
    CHECK_EQ(m.level, 0);
}

/* ---- thread states for critical sections ----------------------------------- */

// Room for a PyCriticalSection or PyCriticalSection2, which CPython's default
// build leaves incomplete (its critical sections are no-ops there).
typedef union {
    uintptr_t words[4];
} section_storage;
#define CS(storage) ((PyCriticalSection *)&(storage))
#define CS2(storage) ((PyCriticalSection2 *)&(storage))
#ifdef Py_GIL_DISABLED
_Static_assert(sizeof(PyCriticalSection2) <= sizeof(section_storage), "section storage too small");
#endif

// Each C thread that uses critical sections owns a cpylock_thread, as each
// Java thread does; the wrappers bind it around every call.
static cpylock_thread *
new_thread_state(void)
{
    void *memory = NULL;
    CHECK(posix_memalign(&memory, 16, cpylock_thread_size()) == 0);
    memset(memory, 0, cpylock_thread_size());
    cpylock_thread *t = memory;
    cpylock_thread_init(t, (unsigned long long)(uintptr_t)pthread_self());
    return t;
}

// In the default flavour critical sections lock nothing.
static int
locked_in_section(void)
{
    return cpylock_gil_disabled();
}

/* ---- critical_sections: one, two, the same mutex twice ------------------------ */

static void
test_critical_sections(void)
{
    cpylock_thread *t = new_thread_state();
    PyMutex d1 = {0}, d2 = {0};
    section_storage cs, cs2;

    cpylock_PyCriticalSection_BeginMutex(t, CS(cs), &d1);
    CHECK_EQ(d1._bits, locked_in_section());
    if (cpylock_gil_disabled()) {
        CHECK_EQ(cpylock_thread_critical_section(t), (uintptr_t)CS(cs));
    }
    else {
        CHECK_EQ(cpylock_thread_critical_section(t), 0);
    }
    CHECK_EQ(cpylock_PyCriticalSection_EndChecked(t, CS(cs)), 0);
    CHECK_EQ(d1._bits, 0);
    CHECK_EQ(cpylock_thread_critical_section(t), 0);

    cpylock_PyCriticalSection2_BeginMutex(t, CS2(cs2), &d1, &d2);
    CHECK_EQ(d1._bits, locked_in_section());
    CHECK_EQ(d2._bits, locked_in_section());
    CHECK_EQ(cpylock_PyCriticalSection2_EndChecked(t, CS2(cs2)), 0);
    CHECK_EQ(d1._bits, 0);
    CHECK_EQ(d2._bits, 0);

    cpylock_PyCriticalSection2_BeginMutex(t, CS2(cs2), &d2, &d2);
    CHECK_EQ(d2._bits, locked_in_section());
    CHECK_EQ(cpylock_PyCriticalSection2_EndChecked(t, CS2(cs2)), 0);
    CHECK_EQ(d2._bits, 0);

    // A mutex unlocked behind the section's back is reported, not fatal.
    cpylock_PyCriticalSection_BeginMutex(t, CS(cs), &d1);
    if (cpylock_gil_disabled()) {
        CHECK_EQ(cpylock_PyMutex_UnlockChecked(&d1), 0);
        CHECK_EQ(cpylock_PyCriticalSection_EndChecked(t, CS(cs)), -1);
        // Detaching cannot suspend the section: refused, nothing changed.
        CHECK_EQ(cpylock_thread_detach(t), -1);
        cpylock_thread_attach(t);
        CHECK_EQ(cpylock_thread_critical_section(t), (uintptr_t)CS(cs));
        cpylock_PyMutex_Lock(t, &d1);
    }
    else {
        CHECK_EQ(cpylock_thread_detach(t), 0);
        cpylock_thread_attach(t);
    }
    CHECK_EQ(cpylock_PyCriticalSection_EndChecked(t, CS(cs)), 0);
    CHECK_EQ(d1._bits, 0);
    free(t);
}

/* ---- critical_sections_nest: 11 deep on one mutex, then on two ------------------ */

static void
lock_unlock_object(cpylock_thread *t, PyMutex *m, int depth)
{
    section_storage cs;
    cpylock_PyCriticalSection_BeginMutex(t, CS(cs), m);
    if (depth > 0) {
        lock_unlock_object(t, m, depth - 1);
    }
    CHECK_EQ(cpylock_PyCriticalSection_EndChecked(t, CS(cs)), 0);
}

static void
lock_unlock_two_objects(cpylock_thread *t, PyMutex *a, PyMutex *b, int depth)
{
    section_storage cs;
    cpylock_PyCriticalSection2_BeginMutex(t, CS2(cs), a, b);
    if (depth > 0) {
        lock_unlock_two_objects(t, a, b, depth - 1);
    }
    CHECK_EQ(cpylock_PyCriticalSection2_EndChecked(t, CS2(cs)), 0);
}

static void
test_critical_sections_nest(void)
{
    cpylock_thread *t = new_thread_state();
    PyMutex a = {0}, b = {0};
    section_storage cs, cs2;

    cpylock_PyCriticalSection_BeginMutex(t, CS(cs), &a);
    CHECK_EQ(a._bits, locked_in_section());
    lock_unlock_object(t, &a, 10);
    CHECK_EQ(a._bits, locked_in_section());
    CHECK_EQ(cpylock_PyCriticalSection_EndChecked(t, CS(cs)), 0);
    CHECK_EQ(a._bits, 0);

    cpylock_PyCriticalSection2_BeginMutex(t, CS2(cs2), &b, &a);
    lock_unlock_two_objects(t, &a, &b, 10);
    CHECK_EQ(a._bits, locked_in_section());
    CHECK_EQ(b._bits, locked_in_section());
    CHECK_EQ(cpylock_PyCriticalSection2_EndChecked(t, CS2(cs2)), 0);
    CHECK_EQ(a._bits, 0);
    CHECK_EQ(b._bits, 0);
    free(t);
}

/* ---- critical_sections_suspend: detach unlocks, attach locks again --------------- */

static void
test_critical_sections_suspend(void)
{
    cpylock_thread *t = new_thread_state();
    PyMutex a = {0};
    section_storage cs;

    cpylock_PyCriticalSection_BeginMutex(t, CS(cs), &a);
    CHECK_EQ(a._bits, locked_in_section());
    CHECK_EQ(cpylock_thread_detach(t), 0);
    CHECK(!cpylock_thread_is_attached(t));
    CHECK_EQ(a._bits, 0);
    cpylock_thread_attach(t);
    CHECK(cpylock_thread_is_attached(t));
    CHECK_EQ(a._bits, locked_in_section());
    CHECK_EQ(cpylock_PyCriticalSection_EndChecked(t, CS(cs)), 0);
    CHECK_EQ(a._bits, 0);
    free(t);
}

/* ---- critical_sections_threads: 4 threads x 200 mixed iterations ------------------ */

struct cs_threads {
    PyMutex obj1, obj2, obj3;
    Py_ssize_t countdown;
    PyEvent done;
};

static void *
cs_thread(void *arg)
{
    struct cs_threads *data = arg;
    cpylock_thread *t = new_thread_state();
    for (int i = 0; i < 200; i++) {
        section_storage cs, cs2;

        cpylock_PyCriticalSection_BeginMutex(t, CS(cs), &data->obj1);
        CHECK_EQ(cpylock_PyCriticalSection_EndChecked(t, CS(cs)), 0);

        cpylock_PyCriticalSection_BeginMutex(t, CS(cs), &data->obj2);
        lock_unlock_object(t, &data->obj1, 1);
        CHECK_EQ(cpylock_PyCriticalSection_EndChecked(t, CS(cs)), 0);

        cpylock_PyCriticalSection2_BeginMutex(t, CS2(cs2), &data->obj3, &data->obj1);
        lock_unlock_object(t, &data->obj2, 2);
        CHECK_EQ(cpylock_PyCriticalSection2_EndChecked(t, CS2(cs2)), 0);

        cpylock_PyCriticalSection_BeginMutex(t, CS(cs), &data->obj3);
        cpylock_thread_detach(t);
        cpylock_thread_attach(t);
        CHECK_EQ(cpylock_PyCriticalSection_EndChecked(t, CS(cs)), 0);
    }
    CHECK_EQ(cpylock_thread_critical_section(t), 0);
    free(t);
    if (_Py_atomic_add_ssize(&data->countdown, -1) == 1) {
        _PyEvent_Notify(&data->done);
    }
    return NULL;
}

static void
test_critical_sections_threads(void)
{
    struct cs_threads data;
    memset(&data, 0, sizeof(data));
    data.countdown = 4;
    pthread_t threads[4];
    for (int i = 0; i < 4; i++) {
        threads[i] = start_thread(cs_thread, &data);
    }
    PyEvent_Wait(&data.done);
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
    }
    CHECK_EQ(data.obj1._bits, 0);
    CHECK_EQ(data.obj2._bits, 0);
    CHECK_EQ(data.obj3._bits, 0);
}

/* ---- parking lot: AGAIN, TIMEOUT, unpark's callback, unpark all --------------------- */

struct unpark_record {
    void *park_arg;
    int has_more;
    int calls;
};

static void
record_unpark(void *arg, void *park_arg, int has_more_waiters)
{
    struct unpark_record *record = arg;
    record->park_arg = park_arg;
    record->has_more = has_more_waiters;
    record->calls++;
}

struct parker {
    uint32_t *word;
    void *park_arg;
    int result;
    int started;
};

static void *
parker_main(void *arg)
{
    struct parker *p = arg;
    uint32_t expected = 0;
    _Py_atomic_store_int(&p->started, 1);
    p->result = _PyParkingLot_Park(p->word, &expected, sizeof(expected), -1, p->park_arg, 0);
    return NULL;
}

static void
unpark_until_woken(uint32_t *word, struct unpark_record *record)
{
    // The parker may not have parked yet: retry until a waiter is found.
    for (int i = 0; i < 20000; i++) {
        memset(record, 0, sizeof(*record));
        _PyParkingLot_Unpark(word, record_unpark, record);
        CHECK_EQ(record->calls, 1);
        if (record->park_arg != NULL) {
            return;
        }
        sleep_ms(1);
    }
    CHECK(!"no waiter was unparked");
}

static void
test_parking_lot(void)
{
    uint32_t word = 7;
    uint32_t expected = 8;
    CHECK_EQ(_PyParkingLot_Park(&word, &expected, sizeof(word), -1, NULL, 0), Py_PARK_AGAIN);
    expected = 7;
    CHECK_EQ(_PyParkingLot_Park(&word, &expected, sizeof(word), 1000 * 1000, NULL, 0), Py_PARK_TIMEOUT);

    // Nobody parked: the callback still runs, with no park argument.
    struct unpark_record record = {0};
    _PyParkingLot_Unpark(&word, record_unpark, &record);
    CHECK_EQ(record.calls, 1);
    CHECK(record.park_arg == NULL);
    CHECK_EQ(record.has_more, 0);

    // One waiter: the callback gets its park argument.
    uint32_t zero = 0;
    int token = 42;
    struct parker p = {.word = &zero, .park_arg = &token};
    pthread_t thread = start_thread(parker_main, &p);
    unpark_until_woken(&zero, &record);
    CHECK(record.park_arg == &token);
    CHECK_EQ(record.has_more, 0);
    pthread_join(thread, NULL);
    CHECK_EQ(p.result, Py_PARK_OK);

    // Twenty waiters, all woken by one unpark-all.
    struct parker parkers[20];
    pthread_t threads[20];
    for (int i = 0; i < 20; i++) {
        parkers[i] = (struct parker){.word = &zero, .park_arg = &parkers[i]};
        threads[i] = start_thread(parker_main, &parkers[i]);
    }
    for (int i = 0; i < 20; i++) {
        while (!_Py_atomic_load_int(&parkers[i].started)) {
            sleep_ms(1);
        }
    }
    sleep_ms(20);  // let the last ones reach the parking lot
    _PyParkingLot_UnparkAll(&zero);
    for (int i = 0; i < 20; i++) {
        pthread_join(threads[i], NULL);
        CHECK_EQ(parkers[i].result, Py_PARK_OK);
    }
}

/* ---- split park: a waiter slot queued as a parked thread ------------------------ */

static int woken_slots[8];
static int wake_calls;

static void
record_wake(int index)
{
    woken_slots[_Py_atomic_add_int(&wake_calls, 1) % 8] = index;
}

// One wake-up taken from the slot's count at `offset` (of its wait entry or
// of its raw-mutex entry), if there is one.
static int
take_post(cpylock_waiter *w, size_t offset)
{
    int *posts = (int *)((char *)w + offset);
    int n = _Py_atomic_load_int(posts);
    while (n > 0) {
        if (_Py_atomic_compare_exchange_int(posts, &n, n - 1)) {
            return 1;
        }
    }
    return 0;
}

// The halves of the split park, with the bucket's lock taken first, as the
// Java waiter takes it; each half leaves it unlocked.
static int
park_begin(cpylock_waiter *w, uint32_t *addr, uint64_t expected, void *park_arg)
{
    _PyRawMutex *bucket_lock = cpylock_park_bucket_lock(addr);
    _PyRawMutex_Lock(bucket_lock);
    int result = cpylock_park_begin_locked(w, addr, expected, sizeof(*addr), park_arg);
    CHECK_EQ(_Py_atomic_load_uintptr(&bucket_lock->v), 0);
    return result;
}

static int
park_cancel(cpylock_waiter *w, uint32_t *addr)
{
    _PyRawMutex *bucket_lock = cpylock_park_bucket_lock(addr);
    _PyRawMutex_Lock(bucket_lock);
    int result = cpylock_park_cancel_locked(w);
    CHECK_EQ(_Py_atomic_load_uintptr(&bucket_lock->v), 0);
    return result;
}

static void
test_split_park(void)
{
    size_t posts = cpylock_offsetof_waiter_posts();
    size_t raw_posts = cpylock_offsetof_waiter_raw_posts();
    CHECK_EQ(cpylock_waiters_install(record_wake), 0);
    cpylock_waiter *w = cpylock_waiter_new();
    CHECK(w != NULL);
    int index = cpylock_waiter_index(w);
    uint32_t word = 5;
    int token = 7;
    struct unpark_record record;

    // A differing value enqueues nothing.
    CHECK_EQ(park_begin(w, &word, 6, &token), Py_PARK_AGAIN);
    memset(&record, 0, sizeof(record));
    _PyParkingLot_Unpark(&word, record_unpark, &record);
    CHECK(record.park_arg == NULL);

    // Queued behind a parked thread: FIFO, with the has-more flag, and woken
    // through the callback, not a semaphore.
    struct parker p = {.word = &word, .park_arg = &p};
    word = 0;
    pthread_t thread = start_thread(parker_main, &p);
    while (!_Py_atomic_load_int(&p.started)) {
        sleep_ms(1);
    }
    sleep_ms(20);  // let the thread reach the parking lot first
    CHECK_EQ(park_begin(w, &word, 0, &token), Py_PARK_OK);
    memset(&record, 0, sizeof(record));
    _PyParkingLot_Unpark(&word, record_unpark, &record);
    CHECK(record.park_arg == &p);
    CHECK_EQ(record.has_more, 1);
    pthread_join(thread, NULL);
    CHECK_EQ(p.result, Py_PARK_OK);
    CHECK(!take_post(w, posts));
    int calls = _Py_atomic_load_int(&wake_calls);
    memset(&record, 0, sizeof(record));
    _PyParkingLot_Unpark(&word, record_unpark, &record);
    CHECK(record.park_arg == &token);
    CHECK_EQ(record.has_more, 0);
    CHECK_EQ(_Py_atomic_load_int(&wake_calls), calls + 1);
    CHECK_EQ(woken_slots[calls % 8], index);
    CHECK(take_post(w, posts));
    CHECK(!take_post(w, posts));

    // A cancelled wait leaves the queue; one already taken by an unparker
    // says so, and its post follows.
    CHECK_EQ(park_begin(w, &word, 0, NULL), Py_PARK_OK);
    CHECK_EQ(park_cancel(w, &word), 0);
    memset(&record, 0, sizeof(record));
    _PyParkingLot_Unpark(&word, record_unpark, &record);
    CHECK(record.park_arg == NULL);
    CHECK_EQ(park_begin(w, &word, 0, NULL), Py_PARK_OK);
    _PyParkingLot_UnparkAll(&word);
    CHECK_EQ(park_cancel(w, &word), 1);
    CHECK(take_post(w, posts));

    // The raw-mutex entry: linked into a locked word, woken by the unlock,
    // its wake-up counted apart from the wait entry's.
    _PyRawMutex m = {0};
    _PyRawMutex_Lock(&m);
    uintptr_t *entry = (uintptr_t *)((char *)w + cpylock_offsetof_waiter_raw_entry());
    entry[0] = 0;  // next: no older waiter
    _Py_atomic_store_uintptr(&m.v, (uintptr_t)entry | 1);
    calls = _Py_atomic_load_int(&wake_calls);
    _PyRawMutex_Unlock(&m);
    CHECK_EQ(_Py_atomic_load_uintptr(&m.v), 0);
    CHECK_EQ(_Py_atomic_load_int(&wake_calls), calls + 1);
    CHECK(!take_post(w, posts));
    CHECK(take_post(w, raw_posts));

    // Slots are reused.
    cpylock_waiter_free(w);
    cpylock_waiter *again = cpylock_waiter_new();
    CHECK(again == w);
    CHECK_EQ(cpylock_waiter_index(again), index);
    cpylock_waiter_free(again);
}

/* ---- seqlock: readers never accept a torn read ------------------------------------ */

struct seq_data {
    _PySeqLock lock;
    int64_t a, b;
    int stop;
};

static void *
seq_writer(void *arg)
{
    struct seq_data *data = arg;
    for (int64_t i = 1; i <= 20000; i++) {
        _PySeqLock_LockWrite(&data->lock);
        _Py_atomic_store_int64_relaxed(&data->a, i);
        _Py_atomic_store_int64_relaxed(&data->b, i);
        _PySeqLock_UnlockWrite(&data->lock);
    }
    _Py_atomic_store_int(&data->stop, 1);
    return NULL;
}

static void *
seq_reader(void *arg)
{
    struct seq_data *data = arg;
    while (!_Py_atomic_load_int(&data->stop)) {
        int64_t a, b;
        uint32_t seq;
        do {
            seq = _PySeqLock_BeginRead(&data->lock);
            CHECK_EQ(seq % 2, 0);
            a = _Py_atomic_load_int64_relaxed(&data->a);
            b = _Py_atomic_load_int64_relaxed(&data->b);
        } while (!_PySeqLock_EndRead(&data->lock, seq));
        CHECK_EQ(a, b);
    }
    return NULL;
}

static void
test_seqlock(void)
{
    struct seq_data data;
    memset(&data, 0, sizeof(data));
    pthread_t writer = start_thread(seq_writer, &data);
    pthread_t reader = start_thread(seq_reader, &data);
    pthread_join(writer, NULL);
    pthread_join(reader, NULL);
    CHECK_EQ(data.lock.sequence, 40000);
    CHECK_EQ(_PySeqLock_AfterFork(&data.lock), 0);
}

/* ---- signals: a storm of signals never corrupts a wait ------------------------ */

// Sends `signo` to every thread of `targets` in turn, as fast as it can,
// until `stop` is set; counts what it sent.
struct signal_storm {
    pthread_t *targets;
    int count;
    int signo;
    int stop;
    long sent;
};

static void *
signal_storm_run(void *arg)
{
    struct signal_storm *storm = arg;
    while (!_Py_atomic_load_int(&storm->stop)) {
        for (int i = 0; i < storm->count; i++) {
            if (pthread_kill(storm->targets[i], storm->signo) == 0) {
                storm->sent++;
            }
        }
        sched_yield();
    }
    return NULL;
}

static void
on_storm_signal(int signo)
{
    (void)signo;
}

// A handler without SA_RESTART, as the harshest profiler would install.
static void
install_storm_handler(int signo)
{
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = on_storm_signal;
    sigemptyset(&action.sa_mask);
    CHECK(sigaction(signo, &action, NULL) == 0);
}

#define RAW_THREADS 4
#define RAW_ITERATIONS 20000

struct raw_counter {
    _PyRawMutex m;
    long counter;
    int ready;
};

static void *
raw_counter_thread(void *arg)
{
    struct raw_counter *data = arg;
    _Py_atomic_add_int(&data->ready, 1);
    for (int i = 0; i < RAW_ITERATIONS; i++) {
        _PyRawMutex_Lock(&data->m);
        data->counter++;
        if ((i & 7) == 0) {
            sched_yield();  // hold it a little, so that others queue in the word
        }
        _PyRawMutex_Unlock(&data->m);
    }
    return NULL;
}

// _PyRawMutex_LockSlow links a waiter entry into the word again when its
// semaphore wait fails with EINTR; the library's wrapper makes the wait
// retry instead. Without it this corrupts the waiter list within seconds.
static void
test_raw_mutex_signals(void)
{
    install_storm_handler(SIGUSR1);
    struct raw_counter data;
    memset(&data, 0, sizeof(data));
    pthread_t threads[RAW_THREADS];
    for (int i = 0; i < RAW_THREADS; i++) {
        threads[i] = start_thread(raw_counter_thread, &data);
    }
    struct signal_storm storm = {threads, RAW_THREADS, SIGUSR1, 0, 0};
    pthread_t stormer = start_thread(signal_storm_run, &storm);
    for (int i = 0; i < RAW_THREADS; i++) {
        pthread_join(threads[i], NULL);
    }
    _Py_atomic_store_int(&storm.stop, 1);
    pthread_join(stormer, NULL);
    CHECK(storm.sent > 0);
    CHECK_EQ(data.counter, (long)RAW_THREADS * RAW_ITERATIONS);
    CHECK_EQ(data.m.v, 0);
}

#define INTR_WAITERS 2
#define INTR_ENOUGH 200       // interrupted waits, and ten times as many acquisitions
#define INTR_MAX_SECONDS 30   // a storm that gets neither fails

struct interrupt_storm {
    PyMutex m;
    long counter;
    Py_ssize_t acquired;
    Py_ssize_t interrupted;
    int stop;
    cpylock_thread *waiters[INTR_WAITERS];
};

static void *
interrupt_storm_holder(void *arg)
{
    struct interrupt_storm *data = arg;
    while (!_Py_atomic_load_int(&data->stop)) {
        PyMutex_Lock(&data->m);
        data->counter++;
        _Py_atomic_add_ssize(&data->acquired, 1);
        sched_yield();
        PyMutex_Unlock(&data->m);
    }
    return NULL;
}

static void *
interrupt_storm_waiter(void *arg)
{
    struct interrupt_storm *data = arg;
    cpylock_thread *t = new_thread_state();
    for (int i = 0; i < INTR_WAITERS; i++) {
        void *expected = NULL;
        if (_Py_atomic_compare_exchange_ptr(&data->waiters[i], &expected, t)) {
            break;
        }
    }
    for (unsigned round = 0; !_Py_atomic_load_int(&data->stop); round++) {
        PyTime_t timeout = (round & 1) ? 2 * 1000 * 1000 : -1;
        _PyLockFlags flags = _PY_LOCK_HANDLE_SIGNALS | ((round & 2) ? _PY_LOCK_DETACH : 0);
        PyLockStatus status = cpylock_PyMutex_LockTimed(t, &data->m, timeout, flags);
        if (status == PY_LOCK_ACQUIRED) {
            data->counter++;
            _Py_atomic_add_ssize(&data->acquired, 1);
            PyMutex_Unlock(&data->m);
        }
        else if (status == PY_LOCK_INTR) {
            _Py_atomic_add_ssize(&data->interrupted, 1);
        }
    }
    return NULL;
}

// Interrupts of threads waiting with _PY_LOCK_HANDLE_SIGNALS on a busy
// mutex: waits end with PY_LOCK_INTR, the wake-up signal is delivered only
// inside a park's semaphore wait, and the mutex stays consistent.
static void
test_interrupt_storm(void)
{
    CHECK(cpylock_interrupts_install(0) > 0);
    int stray_before = cpylock_interrupts_stray();
    struct interrupt_storm data;
    memset(&data, 0, sizeof(data));
    pthread_t waiters[INTR_WAITERS];
    for (int i = 0; i < INTR_WAITERS; i++) {
        waiters[i] = start_thread(interrupt_storm_waiter, &data);
    }
    pthread_t holders[2] = {start_thread(interrupt_storm_holder, &data),
                            start_thread(interrupt_storm_holder, &data)};
    PyTime_t start, now;
    (void)PyTime_MonotonicRaw(&start);
    do {
        for (int i = 0; i < INTR_WAITERS; i++) {
            cpylock_thread *t = _Py_atomic_load_ptr(&data.waiters[i]);
            if (t != NULL) {
                cpylock_thread_interrupt(t);
            }
        }
        sched_yield();
        (void)PyTime_MonotonicRaw(&now);
    } while ((_Py_atomic_load_ssize(&data.interrupted) < INTR_ENOUGH
              || _Py_atomic_load_ssize(&data.acquired) < 10 * INTR_ENOUGH)
             && now - start < (PyTime_t)INTR_MAX_SECONDS * 1000 * 1000 * 1000);
    _Py_atomic_store_int(&data.stop, 1);
    for (int i = 0; i < 2; i++) {
        pthread_join(holders[i], NULL);
    }
    for (int i = 0; i < INTR_WAITERS; i++) {
        pthread_join(waiters[i], NULL);
        free(data.waiters[i]);
    }
    CHECK(data.interrupted >= INTR_ENOUGH);
    CHECK(data.acquired >= 10 * INTR_ENOUGH);
    CHECK_EQ(data.counter, data.acquired);
    CHECK_EQ(cpylock_interrupts_stray(), stray_before);
    PyMutex_Lock(&data.m);
    PyMutex_Unlock(&data.m);
    CHECK_EQ(data.m._bits, 0);
}

/* ---- driver ------------------------------------------------------------------ */

// Storms are left out by --no-storms (the valgrind run, where signals and
// threads crawl).
static const struct {
    const char *name;
    void (*run)(void);
    int storm;
} scenarios[] = {
    {"basic", test_basic},
    {"two_threads", test_two_threads},
    {"counter", test_counter},
    {"counter_slow", test_counter_slow},
    {"once", test_once},
    {"rwlock", test_rwlock},
    {"recursive", test_recursive},
    {"critical_sections", test_critical_sections},
    {"critical_sections_nest", test_critical_sections_nest},
    {"critical_sections_suspend", test_critical_sections_suspend},
    {"critical_sections_threads", test_critical_sections_threads},
    {"parking_lot", test_parking_lot},
    {"split_park", test_split_park},
    {"seqlock", test_seqlock},
    {"raw_mutex_signals", test_raw_mutex_signals, 1},
    {"interrupt_storm", test_interrupt_storm, 1},
};

#define NUM_SCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

static int
run(const char *name, int storms)
{
    for (size_t i = 0; i < NUM_SCENARIOS; i++) {
        if (name == NULL ? storms || !scenarios[i].storm : strcmp(name, scenarios[i].name) == 0) {
            current_scenario = scenarios[i].name;
            scenarios[i].run();
            printf("ok %s (%s flavour)\n", scenarios[i].name,
                   cpylock_gil_disabled() ? "free-threaded" : "default");
            if (name != NULL) {
                return 0;
            }
        }
    }
    if (name != NULL) {
        fprintf(stderr, "unknown scenario: %s\n", name);
        return 2;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    printf("CPython %s, %s flavour\n", cpylock_python_version(),
           cpylock_gil_disabled() ? "free-threaded" : "default");
    if (argc == 1 || (argc == 2 && strcmp(argv[1], "--no-storms") == 0)) {
        return run(NULL, argc == 1);
    }
    for (int i = 1; i < argc; i++) {
        int rc = run(argv[i], 1);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}
