package org.cpylock.tck;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Threads for conformance tests: started together, joined with a bound that
 * only detects hangs, and whose failures fail the test.
 */
public final class Threads implements AutoCloseable {
    /**
     * How long a test waits for something that should happen almost at once
     * before calling it a hang: 60 s, or {@code -Dcpylock.tck.hang-seconds}
     * (the mutation run, which expects hangs, shortens it).
     */
    public static final Duration HANG = Duration.ofSeconds(Long.getLong("cpylock.tck.hang-seconds", 60));

    /**
     * How long a thread seen entering a park is given to be queued, in
     * milliseconds ({@code -Dcpylock.tck.queue-millis}, 20 by default; more
     * on a slow or emulated machine).
     */
    public static final long QUEUE_MILLIS = Long.getLong("cpylock.tck.queue-millis", 20);

    private final List<Thread> threads = new ArrayList<>();
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();

    /** Creates an empty set of threads; use it in a try-with-resources statement, whose close joins them. */
    public Threads() {
    }

    /**
     * Starts a platform thread running {@code body}.
     *
     * @param name the thread's name
     * @param body what the thread runs; what it throws fails the test in {@link #joinAll()}
     * @return the started thread
     */
    public Thread start(String name, Runnable body) {
        return start(Thread.ofPlatform().name(name), body);
    }

    /**
     * Starts a thread built by {@code builder} running {@code body}.
     *
     * @param builder builds the thread (platform or virtual, with its name)
     * @param body    what the thread runs; what it throws fails the test in {@link #joinAll()}
     * @return the started thread
     */
    public Thread start(Thread.Builder builder, Runnable body) {
        Thread thread = builder.unstarted(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failures.add(t);
            }
        });
        threads.add(thread);
        thread.start();
        return thread;
    }

    /**
     * Runs {@code call} on a thread of its own and returns its result: for a
     * call that must return at once, which a wrong implementation may block
     * for ever. Fails the test after {@link #HANG}.
     *
     * @param name the thread's name
     * @param call the call
     * @param <T>  its result's type
     * @return what the call returned
     */
    public static <T> T bounded(String name, Supplier<T> call) {
        AtomicReference<T> result = new AtomicReference<>();
        try (Threads threads = new Threads()) {
            threads.start(name, () -> result.set(call.get()));
        }
        return result.get();
    }

    /** Waits for every started thread (failing the test on a hang) and rethrows the first failure. */
    public void joinAll() {
        long deadline = System.nanoTime() + HANG.toNanos();
        for (Thread thread : threads) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !thread.join(Duration.ofNanos(left))) {
                    fail(thread.getName() + " did not finish within " + HANG.toSeconds() + " s (hang)");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted while joining " + thread.getName());
            }
        }
        Throwable first = failures.peek();
        if (first != null) {
            AssertionError error = new AssertionError("a test thread failed: " + first, first);
            failures.stream().skip(1).forEach(error::addSuppressed);
            throw error;
        }
    }

    /**
     * Waits for every started thread while {@code progress} advances, and
     * rethrows the first failure: a hang is {@link #HANG} without progress,
     * however long the whole takes (thousands of threads on a slow or
     * emulated machine).
     *
     * @param progress a count the threads raise as they work
     */
    public void joinAll(LongSupplier progress) {
        long seen = progress.getAsLong();
        long lastAdvance = System.nanoTime();
        for (Thread thread : threads) {
            try {
                while (!thread.join(Duration.ofSeconds(1))) {
                    long now = progress.getAsLong();
                    if (now != seen) {
                        seen = now;
                        lastAdvance = System.nanoTime();
                    } else if (System.nanoTime() - lastAdvance > HANG.toNanos()) {
                        fail(thread.getName() + " did not finish, and no thread progressed for " + HANG.toSeconds()
                                + " s (hang; progress " + seen + ")");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted while joining " + thread.getName());
            }
        }
        joinAll();
    }

    /**
     * Waits for one thread (failing the test on a hang); its failure, if any, is reported by {@link #joinAll()}.
     *
     * @param thread the thread to wait for
     */
    public static void join(Thread thread) {
        try {
            if (!thread.join(HANG)) {
                fail(thread.getName() + " did not finish within " + HANG.toSeconds() + " s (hang)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while joining " + thread.getName());
        }
    }

    @Override
    public void close() {
        joinAll();
    }

    /**
     * Waits until {@code thread} waits ({@link #isParked}); then allows
     * {@link #QUEUE_MILLIS} more for it to be queued. Fails after {@link #HANG}.
     *
     * @param thread the thread expected to park
     */
    public static void awaitParked(Thread thread) {
        awaitTrue(() -> isParked(thread), thread.getName() + " to park");
        sleepMillis(QUEUE_MILLIS);
    }

    /**
     * Whether {@code thread} waits: its state is WAITING or TIMED_WAITING
     * (an implementation that parks in Java), or it is inside a native park
     * call (a frame whose method name ends with {@code _Park}).
     *
     * @param thread the thread
     * @return true if it waits at the moment
     */
    public static boolean isParked(Thread thread) {
        Thread.State state = thread.getState();
        if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING) {
            return true;
        }
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (frame.getMethodName().endsWith("_Park")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Wakes parked threads until they have all ended: runs {@code wake} (an
     * unpark of every waiter) about once a millisecond. A thread that
     * {@link #awaitParked} saw on its way into the park may not be queued
     * yet when the first wake runs (on a slow or emulated machine); a later
     * one finds it. Fails after {@link #HANG}.
     *
     * @param wake    wakes every thread queued at the time
     * @param parkers the threads that must end
     */
    public static void wakeUntilEnded(Runnable wake, Thread... parkers) {
        awaitTrue(() -> {
            wake.run();
            for (Thread parker : parkers) {
                if (parker.isAlive()) {
                    return false;
                }
            }
            return true;
        }, "the parked threads to be woken and end");
    }

    /**
     * Runs {@code wake} (a stray unpark, say) every {@code everyMillis}
     * milliseconds while {@code waiter} is alive, for at most {@code atMost}:
     * early wake-ups for a wait that must go on after each of them.
     *
     * @param wake        wakes the waiter without giving it what it waits for
     * @param waiter      the waiting thread
     * @param everyMillis the pause between wake-ups
     * @param atMost      when to stop waking it, if it is still waiting
     */
    public static void wakeWhileWaiting(Runnable wake, Thread waiter, long everyMillis, Duration atMost) {
        long since = System.nanoTime();
        while (waiter.isAlive() && System.nanoTime() - since < atMost.toNanos()) {
            wake.run();
            sleepMillis(everyMillis);
        }
    }

    /**
     * Polls until {@code condition} holds; fails after {@link #HANG}.
     *
     * @param condition polled about once a millisecond
     * @param what      what is awaited, for the failure message
     */
    public static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + HANG.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + HANG.toSeconds() + " s waiting for " + what);
            }
            sleepMillis(1);
        }
    }

    /**
     * Polls {@code condition} without sleeping, for {@code 4 * QUEUE_MILLIS}
     * at most: whether it held at some point meanwhile (for a state that a
     * wrong implementation passes through briefly, or that a right one
     * reaches at once).
     *
     * @param condition polled in a busy loop
     * @return true as soon as it holds; false if it never did
     */
    public static boolean holdsWithinAFewQueueTimes(BooleanSupplier condition) {
        long until = System.nanoTime() + 4 * QUEUE_MILLIS * 1_000_000;
        while (System.nanoTime() - until < 0) {
            if (condition.getAsBoolean()) {
                return true;
            }
        }
        return condition.getAsBoolean();
    }

    /**
     * Polls a state word until it reads {@code expected}; fails with the last value after {@link #HANG}.
     *
     * @param bits     reads the state word; polled about once a millisecond
     * @param expected the value to wait for
     * @param what     the awaited state, for the failure message
     */
    public static void awaitBits(IntSupplier bits, int expected, String what) {
        awaitBits(() -> bits.getAsInt(), (long) expected, what);
    }

    /**
     * Polls a state word until it reads {@code expected}; fails with the last value after {@link #HANG}.
     *
     * @param bits     reads the state word; polled about once a millisecond
     * @param expected the value to wait for
     * @param what     the awaited state, for the failure message
     */
    public static void awaitBits(LongSupplier bits, long expected, String what) {
        long deadline = System.nanoTime() + HANG.toNanos();
        long value;
        while ((value = bits.getAsLong()) != expected) {
            if (System.nanoTime() - deadline > 0) {
                assertEquals(expected, value, what + ": state word after " + HANG.toSeconds() + " s");
            }
            sleepMillis(1);
        }
    }

    /**
     * Sleeps; an interrupt fails the test, with the thread's interrupt status set again.
     *
     * @param millis how long to sleep, in milliseconds
     */
    public static void sleepMillis(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
