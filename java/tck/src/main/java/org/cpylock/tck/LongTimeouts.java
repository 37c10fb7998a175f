package org.cpylock.tck;

import java.time.Duration;
import java.util.List;

/**
 * Timeouts that mean no limit: those too long for a deadline in
 * nanoseconds, which C saturates ({@code _PyTime_FromSeconds} and
 * {@code _PyTime_Add}, {@code Python/pytime.c}), and negative ones. A wait
 * with one of them lasts until it is woken.
 */
final class LongTimeouts {
    /**
     * 2^63 - 1 ns (about 292 years); 2^64 ns and one millisecond, which
     * wraps round to 1 ms in 64-bit arithmetic; a thousand years, which
     * wraps round to a negative number.
     */
    static final List<Duration> CENTURIES = List.of(
            Duration.ofNanos(Long.MAX_VALUE),
            Duration.ofSeconds(18_446_744_073L, 709_551_616L + 1_000_000L),
            Duration.ofDays(365L * 1000));

    /**
     * Negative timeouts, which the API maps to C's -1 (no limit): -1 ns,
     * -1 s, and {@link Long#MIN_VALUE} seconds, too long for
     * {@link Duration#toNanos()}.
     */
    static final List<Duration> NEGATIVE = List.of(
            Duration.ofNanos(-1),
            Duration.ofSeconds(-1),
            Duration.ofSeconds(Long.MIN_VALUE));

    private LongTimeouts() {
    }
}
