/*
 * time.c: the clock functions of CPython's Python/pytime.c that lock.c and
 * parking_lot.c call, following CPython 3.13.5. Both libraries have them:
 * the bundled one needs them all, and the interpreter one needs _PyTime_Add,
 * which libpython does not export.
 */
#include "Python.h"
#include "pycore_time.h"          // _PyTime_Add, _PyDeadline_Get

#include <time.h>

#define SEC_TO_NS (1000 * 1000 * 1000)

// PyTime_MonotonicRaw: CLOCK_MONOTONIC in nanoseconds; 0 and -1 on error.
int
PyTime_MonotonicRaw(PyTime_t *result)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        *result = 0;
        return -1;
    }
    *result = (PyTime_t)ts.tv_sec * SEC_TO_NS + ts.tv_nsec;
    return 0;
}

// PyTime_TimeRaw: CLOCK_REALTIME in nanoseconds; 0 and -1 on error.
// parking_lot.c needs it only where sem_clockwait is missing or under
// ThreadSanitizer, which makes it time waits with sem_timedwait.
int
PyTime_TimeRaw(PyTime_t *result)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
        *result = 0;
        return -1;
    }
    *result = (PyTime_t)ts.tv_sec * SEC_TO_NS + ts.tv_nsec;
    return 0;
}

// _PyTime_Add: t1 + t2, saturated to [PyTime_MIN, PyTime_MAX].
PyTime_t
_PyTime_Add(PyTime_t t1, PyTime_t t2)
{
    if (t2 > 0 && t1 > PyTime_MAX - t2) {
        return PyTime_MAX;
    }
    if (t2 < 0 && t1 < PyTime_MIN - t2) {
        return PyTime_MIN;
    }
    return t1 + t2;
}

// _PyDeadline_Get: nanoseconds left until `deadline` (negative once past).
PyTime_t
_PyDeadline_Get(PyTime_t deadline)
{
    PyTime_t now;
    (void)PyTime_MonotonicRaw(&now);
    return deadline - now;
}

// _PyTime_AsTimespec_clamp: seconds rounded towards negative infinity and a
// nanosecond remainder in [0, 1e9). time_t holds every PyTime_t in seconds
// where time_t is 64 bits; elsewhere the seconds are clamped.
void
_PyTime_AsTimespec_clamp(PyTime_t t, struct timespec *ts)
{
    PyTime_t sec = t / SEC_TO_NS;
    PyTime_t nsec = t % SEC_TO_NS;
    if (nsec < 0) {
        nsec += SEC_TO_NS;
        sec -= 1;
    }
    if (sizeof(time_t) < sizeof(PyTime_t)) {
        PyTime_t max = (PyTime_t)((1ULL << (8 * sizeof(time_t) - 1)) - 1);
        if (sec > max || sec < -max - 1) {
            sec = sec > 0 ? max : -max - 1;
            nsec = 0;
        }
    }
    ts->tv_sec = (time_t)sec;
    ts->tv_nsec = (long)nsec;
}
