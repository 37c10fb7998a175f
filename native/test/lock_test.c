/*
 * lock_test.c: the scenarios of CPython's Modules/_testinternalcapi/test_lock.c
 * (basic, two_threads, counter, counter_slow, once, rwlock, recursive), run in
 * C against one flavour of libcpylock, with the same thread counts,
 * iterations and state-word checks. Checks stay active in release builds.
 *
 *   lock_test [scenario ...]     (all scenarios when none is named)
 */
#include "cpylock.h"
#include "pycore_pythread.h"       // PyThread_get_thread_ident_ex

#include <pthread.h>
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

/* ---- driver ------------------------------------------------------------------ */

static const struct {
    const char *name;
    void (*run)(void);
} scenarios[] = {
    {"basic", test_basic},
    {"two_threads", test_two_threads},
    {"counter", test_counter},
    {"counter_slow", test_counter_slow},
    {"once", test_once},
    {"rwlock", test_rwlock},
    {"recursive", test_recursive},
};

#define NUM_SCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

static int
run(const char *name)
{
    for (size_t i = 0; i < NUM_SCENARIOS; i++) {
        if (name == NULL || strcmp(name, scenarios[i].name) == 0) {
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
    if (argc == 1) {
        return run(NULL);
    }
    for (int i = 1; i < argc; i++) {
        int rc = run(argv[i]);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}
