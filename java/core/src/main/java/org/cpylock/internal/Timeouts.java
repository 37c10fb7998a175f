package org.cpylock.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/** Conversions from Java timeouts to CPython's {@code PyTime_t} nanoseconds. */
public final class Timeouts {
    private Timeouts() {
    }

    /**
     * A {@link Duration} as the timeout the C functions take: -1 (wait forever)
     * for a negative duration, 0 (do not block) for zero, otherwise nanoseconds,
     * saturated at {@link Long#MAX_VALUE} (about 292 years) instead of overflowing.
     */
    public static long toPyTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            return -1;
        }
        try {
            return timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    /** {@code time} in {@code unit} as nanoseconds, saturated ({@link TimeUnit#toNanos} saturates). */
    public static long toNanos(long time, TimeUnit unit) {
        return Objects.requireNonNull(unit, "unit").toNanos(time);
    }

    /** {@code now + delta}, saturated at {@link Long#MAX_VALUE}. */
    public static long deadline(long now, long delta) {
        long sum = now + delta;
        return ((now ^ sum) & (delta ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
