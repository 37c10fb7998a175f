/*
 * lock_bench.c: the C side of cpylock's benchmarks, built as a library of its
 * own (libcpylock-bench-<flavour>.so) that links against the production
 * library of the same flavour and is never packed into the jar.
 *
 *   cpylock_bench_locks        CPython's benchmark_locks
 *                              (Modules/_testinternalcapi/test_lock.c) for
 *                              PyMutex: C threads lock, add to a shared double
 *                              critical_section_length times, unlock, until told
 *                              to stop; lockbench's "C threads" row.
 *   cpylock_bench_uncontended  PyMutex_Lock + PyMutex_Unlock, CPython's
 *                              static-inline fast paths, in a loop on one mutex:
 *                              the C baseline of the uncontended JMH benchmark.
 *   cpylock_bench_uncontended_store_unlock
 *                              the same loop with the unlock made of a store and
 *                              a full fence: the instructions a Java volatile
 *                              store compiles to (ReentrantLock's unlock). Not a
 *                              PyMutex unlock (it would overwrite _Py_HAS_PARKED);
 *                              it prices the instruction, uncontended, in C.
 */
#include "cpylock.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct bench_data {
    int stop;
    int critical_section_length;
    char padding[200];
    PyMutex m;
    double value;
    Py_ssize_t total_iters;
};

struct bench_thread {
    struct bench_data *data;
    Py_ssize_t iters;
    pthread_t thread;
};

static void *
bench_thread_main(void *arg)
{
    struct bench_thread *me = arg;
    struct bench_data *data = me->data;
    int critical_section_length = data->critical_section_length;

    double my_value = 1.0;
    Py_ssize_t iters = 0;
    while (!_Py_atomic_load_int_relaxed(&data->stop)) {
        PyMutex_Lock(&data->m);
        for (int i = 0; i < critical_section_length; i++) {
            data->value += my_value;
            my_value = data->value;
        }
        PyMutex_Unlock(&data->m);
        iters++;
    }
    me->iters = iters;
    _Py_atomic_add_ssize(&data->total_iters, iters);
    return NULL;
}

static int64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Runs num_threads C threads for time_ms milliseconds; writes each thread's
 * acquisitions to thread_iters[0..num_threads) and returns acquisitions per
 * second over the whole run, or -1 if a thread could not be started. */
double
cpylock_bench_locks(int num_threads, int critical_section_length, int time_ms,
                    int64_t *thread_iters)
{
    struct bench_data data;
    memset(&data, 0, sizeof(data));
    data.critical_section_length = critical_section_length;

    struct bench_thread *threads = calloc((size_t)num_threads, sizeof(*threads));
    if (threads == NULL) {
        return -1;
    }
    int started = 0;
    int64_t start = now_ns();
    for (; started < num_threads; started++) {
        threads[started].data = &data;
        if (pthread_create(&threads[started].thread, NULL, bench_thread_main, &threads[started]) != 0) {
            break;
        }
    }
    usleep((useconds_t)time_ms * 1000);
    _Py_atomic_store_int(&data.stop, 1);
    for (int i = 0; i < started; i++) {
        pthread_join(threads[i].thread, NULL);
        thread_iters[i] = threads[i].iters;
    }
    int64_t end = now_ns();
    double rate = started == num_threads ? (double)data.total_iters * 1e9 / (double)(end - start) : -1;
    free(threads);
    return rate;
}

/* iterations x (PyMutex_Lock + PyMutex_Unlock) on m, uncontended; returns
 * the mutex byte at the end (0), so the loop's effect is observable. */
int
cpylock_bench_uncontended(PyMutex *m, int64_t iterations)
{
    for (int64_t i = 0; i < iterations; i++) {
        PyMutex_Lock(m);
        PyMutex_Unlock(m);
    }
    return m->_bits;
}

/* iterations x (PyMutex_Lock + a store of 0 and a sequentially consistent
 * fence) on m, uncontended; returns the mutex byte at the end (0). Only for
 * a mutex no other thread touches. */
int
cpylock_bench_uncontended_store_unlock(PyMutex *m, int64_t iterations)
{
    for (int64_t i = 0; i < iterations; i++) {
        PyMutex_Lock(m);
        __atomic_store_n(&m->_bits, 0, __ATOMIC_RELEASE);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
    }
    return m->_bits;
}
