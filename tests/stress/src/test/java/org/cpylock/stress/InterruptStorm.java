package org.cpylock.stress;

import org.cpylock.CPython;
import org.cpylock.ParkingLot;
import org.cpylock.PyMutex;
import org.cpylock.api.LockFlag;
import org.cpylock.api.LockStatus;
import org.cpylock.api.ParkStatus;
import org.cpylock.internal.Native;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The interrupt storm: two threads wait interruptibly on a busy {@link PyMutex}
 * (or park on a busy word) while the main thread interrupts them every
 * 0–200 µs, for each interruptible method in turn.
 *
 * <pre>
 * InterruptStorm [--seconds N] [--methods m1,m2,...]
 *   --seconds  how long each method is stormed (default 20)
 *   --methods  lockInterruptibly, tryLock, lockTimed, park (default: all four)
 * </pre>
 *
 * <p>Per method: two holder threads lock the mutex for 0–50 µs at a time,
 * with 0–20 µs between holds (for {@code park}: unpark the word at that pace);
 * one platform and one virtual target thread loop on the method. Afterwards
 * these must hold, or the program exits with status 1:
 * <ul>
 *   <li>the counter incremented under the mutex equals the acquisitions;</li>
 *   <li>every interrupt sent was consumed once: by an {@link InterruptedException},
 *       by an {@code INTERRUPTED} result (whose interrupt status was set), or is
 *       still set when the target stops (the interrupter only interrupts a
 *       thread whose status is clear, so each interrupt is a separate one);</li>
 *   <li>{@code park}: every unpark callback that received a target's argument
 *       matches a park that returned {@code OK} (no lost wake-up); bound to an
 *       interpreter, parks may also return {@code OK} when an interrupt's
 *       unpark passes them;</li>
 *   <li>the mutex still works: lock, unlock, state byte 0;</li>
 *   <li>no wake-up signal landed outside a park's semaphore wait
 *       ({@code cpylock_interrupts_stray}).</li>
 * </ul>
 * A watchdog checks every second that the threads make progress; after
 * {@value #HANG_SECONDS} s without any, it prints every thread's stack and
 * halts the JVM with status 2. (A caller that must survive a wedged JVM, one
 * that cannot even halt, runs this program under a kill timer: see
 * {@code StormTest}.)
 */
public final class InterruptStorm {
    /** Seconds without progress after which the storm counts as hung. */
    private static final int HANG_SECONDS = 15;
    private static final int TARGETS = 2;
    private static final int HOLDERS = 2;

    enum Method {
        LOCK_INTERRUPTIBLY("lockInterruptibly"),
        TRY_LOCK("tryLock"),
        LOCK_TIMED("lockTimed"),
        PARK("park");

        final String id;

        Method(String id) {
            this.id = id;
        }

        static Method of(String id) {
            for (Method method : values()) {
                if (method.id.equals(id)) {
                    return method;
                }
            }
            throw new IllegalArgumentException("unknown method " + id + " (lockInterruptibly, tryLock, lockTimed, park)");
        }
    }

    private InterruptStorm() {
    }

    public static void main(String[] args) throws InterruptedException {
        int seconds = 20;
        Set<Method> methods = EnumSet.allOf(Method.class);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--methods" -> {
                    methods = EnumSet.noneOf(Method.class);
                    for (String id : args[++i].split(",")) {
                        methods.add(Method.of(id.trim()));
                    }
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.out.printf(Locale.ROOT, "InterruptStorm: CPython %s, %s flavour, %d s per method%n",
                CPython.version(), CPython.flavour().id(), seconds);
        System.out.printf("%-18s%12s%12s%10s%16s%12s%10s%n", "method", "interrupts", "consumed", "left set",
                "acquired", "timed out", "failures");
        long failures = 0;
        for (Method method : methods) {
            failures += new Round(method).run(Duration.ofSeconds(seconds));
        }
        int stray = Native.interruptsStray();
        if (stray != 0) {
            System.out.println("InterruptStorm: FAILED: " + stray + " wake-up signals landed outside a park's wait");
            failures++;
        }
        System.out.printf("InterruptStorm: %s%n", failures == 0 ? "no failures" : failures + " failures");
        System.exit(failures == 0 ? 0 : 1);
    }

    /** One method's storm. */
    private static final class Round {
        private final Method method;
        private final PyMutex mutex = new PyMutex();
        private final Arena arena = Arena.ofShared();
        /** The word targets park on (park round); it stays 0. */
        private final MemorySegment word = arena.allocate(ValueLayout.JAVA_INT);
        private final String parkArgument = "target";
        /** Incremented only while holding the mutex. */
        private long counter;
        private final AtomicLong acquisitions = new AtomicLong();
        private final AtomicLong timeouts = new AtomicLong();
        private final AtomicLong consumed = new AtomicLong();
        private final AtomicLong parkedOk = new AtomicLong();
        private final AtomicLong unparkedTargets = new AtomicLong();
        private final AtomicLong failures = new AtomicLong();
        private final AtomicLong progress = new AtomicLong();
        private final long[] sent = new long[TARGETS];
        private final boolean[] leftSet = new boolean[TARGETS];
        private volatile boolean stopTargets;
        private volatile boolean stopHolders;

        Round(Method method) {
            this.method = method;
        }

        long run(Duration duration) throws InterruptedException {
            List<Thread> holders = new ArrayList<>();
            for (int h = 0; h < HOLDERS; h++) {
                holders.add(Thread.ofPlatform().name("storm-holder-" + h).start(this::hold));
            }
            Thread[] targets = new Thread[TARGETS];
            for (int t = 0; t < TARGETS; t++) {
                int index = t;
                Thread.Builder builder = t == 0 ? Thread.ofPlatform() : Thread.ofVirtual();
                targets[t] = builder.name("storm-target-" + t).start(() -> target(index));
            }
            Thread watchdog = Watchdog.start("InterruptStorm " + method.id, HANG_SECONDS, progress::get,
                    () -> "mutex " + mutex + ", acquisitions " + acquisitions.get());
            long end = System.nanoTime() + duration.toNanos();
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (System.nanoTime() < end) {
                int t = random.nextInt(TARGETS);
                // Only a clear status is set, so every interrupt sent is one the target must consume.
                if (!targets[t].isInterrupted()) {
                    targets[t].interrupt();
                    sent[t]++;
                }
                LockSupport.parkNanos(random.nextLong(200_000));
            }
            stopTargets = true;
            for (Thread target : targets) {
                target.join();
            }
            stopHolders = true;
            for (Thread holder : holders) {
                holder.join();
            }
            watchdog.interrupt();
            check();
            System.out.printf(Locale.ROOT, "%-18s%,12d%,12d%10d%,16d%,12d%10d%n", method.id, sent[0] + sent[1],
                    consumed.get(), (leftSet[0] ? 1 : 0) + (leftSet[1] ? 1 : 0), acquisitions.get(), timeouts.get(),
                    failures.get());
            arena.close();
            return failures.get();
        }

        private void check() {
            long sentTotal = sent[0] + sent[1];
            long left = (leftSet[0] ? 1 : 0) + (leftSet[1] ? 1 : 0);
            if (sentTotal != consumed.get() + left) {
                fail(sentTotal + " interrupts sent, but " + consumed.get() + " consumed and " + left + " left set");
            }
            if (method == Method.PARK) {
                // Bound, an interrupt's unpark also wakes the parks queued ahead of the
                // interrupted one, which return OK (docs/RELIABILITY.md): more OKs than unparks.
                boolean bound = CPython.interpreter().isPresent();
                if (bound ? unparkedTargets.get() > parkedOk.get() : unparkedTargets.get() != parkedOk.get()) {
                    fail(unparkedTargets.get() + " unparks found a target, but " + parkedOk.get() + " parks returned OK");
                }
            } else if (counter != acquisitions.get()) {
                fail("counter " + counter + " after " + acquisitions.get() + " acquisitions (mutual exclusion lost)");
            }
            if (!mutex.tryLock()) {
                fail("the mutex is still locked (bits " + mutex.bits() + ") after every thread stopped");
            } else {
                mutex.unlock();
                mutex.lock();
                mutex.unlock();
                if (mutex.bits() != 0) {
                    fail("the mutex's byte is " + mutex.bits() + " after lock and unlock with nobody waiting");
                }
            }
        }

        private void fail(String message) {
            System.out.println(method.id + ": FAILED: " + message);
            failures.incrementAndGet();
        }

        private void hold() {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (!stopHolders) {
                if (method == Method.PARK) {
                    ParkingLot.unpark(word, (arg, more) -> {
                        if (arg == parkArgument) {
                            unparkedTargets.incrementAndGet();
                        }
                    });
                } else {
                    mutex.lock();
                    counter++;
                    acquisitions.incrementAndGet();
                    spin(random.nextLong(50_000));
                    mutex.unlock();
                }
                progress.incrementAndGet();
                spin(random.nextLong(20_000));
            }
        }

        private void target(int index) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            while (!stopTargets) {
                try {
                    boolean acquired = switch (method) {
                        case LOCK_INTERRUPTIBLY -> {
                            mutex.lockInterruptibly();
                            yield true;
                        }
                        case TRY_LOCK -> mutex.tryLock(5, TimeUnit.MILLISECONDS);
                        case LOCK_TIMED -> lockTimed(random);
                        case PARK -> {
                            park(random);
                            yield false;
                        }
                    };
                    if (acquired) {
                        counter++;
                        acquisitions.incrementAndGet();
                        mutex.unlock();
                    }
                } catch (InterruptedException e) {
                    consumed.incrementAndGet();
                }
                progress.incrementAndGet();
            }
            leftSet[index] = Thread.interrupted();
        }

        /** lockTimed with HANDLE_SIGNALS: 5 ms or no limit, detached or not. */
        private boolean lockTimed(ThreadLocalRandom random) {
            Duration timeout = random.nextBoolean() ? Duration.ofMillis(5) : Duration.ofNanos(-1);
            LockStatus status = random.nextBoolean()
                    ? mutex.lockTimed(timeout, LockFlag.HANDLE_SIGNALS, LockFlag.DETACH)
                    : mutex.lockTimed(timeout, LockFlag.HANDLE_SIGNALS);
            return switch (status) {
                case ACQUIRED -> true;
                case FAILURE -> {
                    timeouts.incrementAndGet();
                    yield false;
                }
                case INTERRUPTED -> {
                    consumeReportedInterrupt("lockTimed");
                    yield false;
                }
            };
        }

        /** park on the word (which stays 0): 5 ms or no limit, detached or not. */
        private void park(ThreadLocalRandom random) {
            Duration timeout = random.nextBoolean() ? Duration.ofMillis(5) : Duration.ofNanos(-1);
            ParkStatus status = ParkingLot.park(word, 0, 4, timeout, parkArgument, random.nextBoolean());
            switch (status) {
                case OK -> parkedOk.incrementAndGet();
                case TIMEOUT -> timeouts.incrementAndGet();
                case INTERRUPTED -> consumeReportedInterrupt("park");
                case AGAIN -> fail("park returned AGAIN although the word never changes");
            }
        }

        /** An INTERRUPTED result leaves the status set; clear it, which consumes the interrupt. */
        private void consumeReportedInterrupt(String what) {
            if (Thread.interrupted()) {
                consumed.incrementAndGet();
            } else {
                fail(what + " returned INTERRUPTED without an interrupt");
            }
        }

        private static void spin(long nanos) {
            long end = System.nanoTime() + nanos;
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
        }
    }
}
