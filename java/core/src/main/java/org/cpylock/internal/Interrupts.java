package org.cpylock.internal;

import org.cpylock.internal.ffi.CPyLockInterpreter;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;
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
 * <p>Bound to an interpreter ({@code cpylock.library}), no signal is sent:
 * the interpreter's raw-mutex waits (a parking-lot bucket's lock, taken on
 * the way in and out of every park) are not written for one, and cpylock
 * cannot keep a signal out of the interpreter's own code. An interruptible
 * park is unparked instead ({@link #parkBound}): for an interrupted thread,
 * the watchdog calls {@code cpylock_interpreter_unpark_interrupted}, which
 * unparks the threads parked on its address one at a time, first parked
 * first, until it has unparked that thread, whose park record it marks. The
 * park then reports {@code Py_PARK_INTR}; one that an unpark of the program
 * woke is unmarked and reports {@code Py_PARK_OK}, so that no wake-up given
 * to an interrupted thread is lost. The threads parked ahead of it wake
 * without cause and look again, as after an unpark of all. A virtual thread
 * waits through a proxy ({@link Proxies}) and makes that call itself.
 * {@link LockC} runs the {@code PyMutex} wait's loop in Java there, so that
 * its interruptible waits are such parks.
 */
public final class Interrupts {
    /** How often the watchdog looks for interrupted waiters. */
    static final long POLL_MILLIS = 5;
    /** System property naming the wake-up signal's number. */
    public static final String SIGNAL_PROPERTY = "cpylock.interruptSignal";

    private Interrupts() {
    }

    /** The threads in an interruptible wait, each with what delivers an interrupt to it. */
    private static final class Watchdog {
        private static final Map<Thread, Runnable> WAITING = new ConcurrentHashMap<>();
        private static final Thread THREAD = Thread.ofPlatform()
                .name("cpylock-interrupts")
                .daemon(true)
                .unstarted(Interrupts::watch);

        static {
            THREAD.start();
        }

        static void register(Runnable deliver) {
            WAITING.put(Thread.currentThread(), deliver);
            LockSupport.unpark(THREAD);
        }
    }

    /** The wake-up signal of the bundled library, installed on its first interruptible wait. */
    private static final class Signal {
        /** Why the wake-up signal could not be installed, or null. */
        private static final String UNAVAILABLE = install();
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
        if (Signal.UNAVAILABLE != null) {
            throw new IllegalStateException(Signal.UNAVAILABLE);
        }
        long deadline = Timeouts.deadline(System.nanoTime(), Math.max(0, timeoutNs));
        Watchdog.register(() -> Native.threadInterrupt(thread.segment()));
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
            Watchdog.WAITING.remove(Thread.currentThread());
        }
    }

    /**
     * Bound to an interpreter: {@code park}, a park in the interpreter's
     * parking lot on {@code address} with {@code record} as its argument,
     * which an interrupt of the calling thread ends by unparking it (see the
     * class notes). Returns {@code park}'s {@code Py_PARK_*} code, with
     * {@code Py_PARK_INTR} for a thread unparked for its interrupt.
     */
    static int parkBound(MemorySegment address, MemorySegment record, IntSupplier park) {
        Unparking unparking = new Unparking(address, record);
        Unparking.PARKS.add(unparking);
        int result;
        try {
            if (Proxies.needed()) {
                // The proxy parks; the virtual thread hears of its interrupt itself.
                result = Proxies.await(park, unparking, POLL_MILLIS);
            } else {
                Watchdog.register(unparking);
                try {
                    result = park.getAsInt();
                } finally {
                    Watchdog.WAITING.remove(Thread.currentThread());
                }
            }
        } finally {
            unparking.end();
        }
        int mark = unparking.takeMark();
        boolean interrupted = mark == Unparking.FOR_INTERRUPT
                || (mark == Unparking.IN_PASSING && Thread.currentThread().isInterrupted());
        return result == CPythonConstants.PARK_OK && interrupted ? CPythonConstants.PARK_INTR : result;
    }

    /**
     * Unparks one bound park for an interrupt, at most once, and never after
     * it has ended (its record may be in another park by then). The parks in
     * progress are known, so that the threads parked ahead of it are told
     * why they woke: a mark on a record that is parked is true of the park
     * it is in (a record not taken after its park is cleared when its wait
     * returns it).
     */
    private static final class Unparking implements Runnable {
        private static final Set<Unparking> PARKS = ConcurrentHashMap.newKeySet();
        private static final long MARK = CPyLockInterpreter.CPYLOCK_UNPARK_MARK_OFFSET();
        private static final int FOR_INTERRUPT = CPyLockInterpreter.CPYLOCK_UNPARKED_FOR_INTERRUPT();
        private static final int IN_PASSING = CPyLockInterpreter.CPYLOCK_UNPARKED_IN_PASSING();

        private final MemorySegment address;
        private final MemorySegment record;
        private boolean done;

        Unparking(MemorySegment address, MemorySegment record) {
            this.address = address;
            this.record = record;
        }

        @Override
        public synchronized void run() {
            if (done) {
                return;
            }
            List<MemorySegment> others = new ArrayList<>();
            for (Unparking other : PARKS) {
                if (other != this && other.address.equals(address)) {
                    others.add(other.record);
                }
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment records = arena.allocate(ValueLayout.ADDRESS, Math.max(1, others.size()));
                for (int i = 0; i < others.size(); i++) {
                    records.setAtIndex(ValueLayout.ADDRESS, i, others.get(i));
                }
                done = CPyLockInterpreter.cpylock_interpreter_unpark_interrupted(address, record, records,
                        others.size()) != 0;
            }
        }

        synchronized void end() {
            done = true;
            PARKS.remove(this);
        }

        /**
         * How the park was unparked by an interrupt, if it was; clears the
         * mark for the record's next park (a wait may park with it again).
         */
        int takeMark() {
            int mark = record.get(ValueLayout.JAVA_INT, MARK);
            record.set(ValueLayout.JAVA_INT, MARK, 0);
            return mark;
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
            if (Watchdog.WAITING.isEmpty()) {
                LockSupport.park();
                continue;
            }
            Watchdog.WAITING.forEach((thread, deliver) -> {
                if (thread.isInterrupted()) {
                    deliver.run();
                }
            });
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS));
        }
    }
}
