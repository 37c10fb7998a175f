package org.cpylock.port;

import java.time.Duration;

/**
 * CPython's {@code PyTime_t} timeouts and deadlines, on {@link System#nanoTime()}.
 */
final class Timeouts {
    /*
     * Implementation notes: a timeout is a long of nanoseconds with CPython's
     * meaning (negative: wait forever, 0: do not wait, positive: at most that
     * long). The monotonic clock is System.nanoTime(), whose origin is
     * arbitrary, so deadlines are only ever compared by subtraction; adding a
     * timeout to a clock reading wraps instead of saturating as _PyTime_Add
     * does, which gives the same differences for any wait shorter than 292
     * years.
     */

    /** The timeout that waits without limit ({@code -1}, as CPython passes it). */
    static final long FOREVER = -1;

    private Timeouts() {
    }

    /** A Duration as a CPython timeout: negative to -1, too large to {@link Long#MAX_VALUE}. */
    static long toPyTimeout(Duration timeout) {
        if (timeout.isNegative()) {
            return FOREVER;
        }
        try {
            return timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    /** {@code PyTime_MonotonicRaw} ({@code Python/pytime.c}). */
    static long monotonic() {
        return System.nanoTime();
    }

    /** {@code _PyTime_Add(now, timeout)} ({@code Python/pytime.c}): a deadline, compared by subtraction only. */
    static long deadline(long now, long timeout) {
        return now + timeout;
    }

    /** {@code _PyDeadline_Get(deadline)} ({@code Python/pytime.c}): the time left, negative once passed. */
    static long remaining(long deadline) {
        return deadline - monotonic();
    }
}
