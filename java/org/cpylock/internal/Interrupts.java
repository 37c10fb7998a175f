package org.cpylock.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongToIntFunction;

/**
 * Delivers Java interrupts to threads waiting inside the library.
 *
 * <p>A thread blocked in a native wait does not see {@link Thread#interrupt()}.
 * CPython's waits end early on a signal instead (the parking lot returns
 * {@code Py_PARK_INTR}; {@code _PyMutex_LockTimed} with
 * {@code _PY_LOCK_HANDLE_SIGNALS} then returns {@code PY_LOCK_INTR} if
 * {@code Py_MakePendingCalls} fails). The facade uses exactly that path: a
 * thread entering an interruptible wait registers here; a watchdog thread
 * looks at the registered threads every {@value #POLL_MILLIS} ms and, for
 * each one that has been interrupted, calls {@code cpylock_thread_interrupt},
 * which marks its native state and sends its OS thread the wake-up signal
 * (a real-time signal, {@code SIGRTMIN + 4} unless the system property
 * {@code cpylock.interruptSignal} names another). An interrupt therefore
 * ends such a wait within about {@value #POLL_MILLIS} ms (more under load),
 * and is resent until the wait has ended, so a signal that arrives just before
 * the thread blocks is not lost. The signal reaches the thread only inside a
 * park's semaphore wait ({@code native/src/interrupts.c} says why).
 *
 * <p>The watchdog runs only while threads are registered.
 *
 * <p>Bound to an interpreter ({@code cpylock.library}), waits are not
 * interrupted: the interpreter runs {@code Py_MakePendingCalls} only on its
 * main thread, so no signal ends another thread's wait early, and the
 * wake-up signal would reach the interpreter's raw-mutex waits, which are
 * not written for it. The facade sees an interrupt on entry only there.
 */
public final class Interrupts {
    /** How often the watchdog looks for interrupted waiters. */
    static final long POLL_MILLIS = 5;
    /** System property naming the wake-up signal's number. */
    public static final String SIGNAL_PROPERTY = "cpylock.interruptSignal";

    private Interrupts() {
    }

    /** The delivery machinery, set up on the first interruptible wait of the bundled library. */
    private static final class Delivery {
        private static final Map<ThreadState, Thread> WAITING = new ConcurrentHashMap<>();
        /** Why the wake-up signal could not be installed, or null. */
        private static final String UNAVAILABLE = install();
        private static final Thread WATCHDOG = Thread.ofPlatform()
                .name("cpylock-interrupts")
                .daemon(true)
                .unstarted(Interrupts::watch);

        static {
            WATCHDOG.start();
        }
    }

    /**
     * Runs {@code wait}, a native call whose wait is interruptible for
     * {@code thread}, while the calling thread's interrupts are delivered to it.
     * {@code wait} takes the timeout in nanoseconds (negative: none) and
     * returns its result; {@code interrupted} is the result by which it
     * reports an interrupt. That result stands only while the thread's
     * interrupt status is set: any other (a signal from elsewhere, or an
     * interrupt delivered after the thread had consumed it) makes the wait
     * start again for the time left.
     */
    public static int waitInterruptibly(ThreadState thread, long timeoutNs, int interrupted, LongToIntFunction wait) {
        if (NativeLibrary.isInterpreter()) {
            return wait.applyAsInt(timeoutNs);
        }
        if (Delivery.UNAVAILABLE != null) {
            throw new IllegalStateException(Delivery.UNAVAILABLE);
        }
        long deadline = Timeouts.deadline(System.nanoTime(), Math.max(0, timeoutNs));
        Delivery.WAITING.put(thread, Thread.currentThread());
        LockSupport.unpark(Delivery.WATCHDOG);
        try {
            for (;;) {
                int result = wait.applyAsInt(timeoutNs);
                if (result != interrupted || Thread.currentThread().isInterrupted()) {
                    return result;
                }
                if (timeoutNs > 0) {
                    timeoutNs = Math.max(0, deadline - System.nanoTime());
                }
            }
        } finally {
            Delivery.WAITING.remove(thread);
        }
    }

    private static String install() {
        int requested = Integer.getInteger(SIGNAL_PROPERTY, 0);
        if (Native.interruptsInstall(requested) < 0) {
            return "cpylock cannot install the wake-up signal " + requested + " (-D" + SIGNAL_PROPERTY
                    + "): interruptible waits need a real-time signal that nothing else in the process uses";
        }
        return null;
    }

    private static void watch() {
        for (;;) {
            if (Delivery.WAITING.isEmpty()) {
                LockSupport.park();
                continue;
            }
            Delivery.WAITING.forEach((state, thread) -> {
                if (thread.isInterrupted()) {
                    Native.threadInterrupt(state.segment());
                }
            });
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS));
        }
    }
}
