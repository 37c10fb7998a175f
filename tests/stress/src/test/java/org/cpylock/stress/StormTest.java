package org.cpylock.stress;

import org.cpylock.CPython;
import org.cpylock.ParkingLot;
import org.cpylock.PyEvent;
import org.cpylock.PyMutex;
import org.cpylock.api.LockFlag;
import org.cpylock.api.LockStatus;
import org.cpylock.api.ParkStatus;
import org.cpylock.testing.Backends;
import org.cpylock.testing.GuardedJvm;
import org.cpylock.tck.Threads;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The interrupt storm and the signal storm, short, in the flavour of this
 * test run, each in a JVM of its own under a kill timer ({@link GuardedJvm});
 * the long runs are in the stress profile (see pom.xml). And, in this JVM,
 * timed waits under a storm of signals.
 */
@Execution(ExecutionMode.CONCURRENT) // the storms run in child JVMs; the in-JVM case signals only its own thread
class StormTest {
    private static final Path OUTPUT = Path.of("target", "storms");
    /** Why the stress package's JUnit tests do not run on an emulated JVM. */
    static final String EMULATED = "its child JVMs take minutes each under emulation; the platform-specific"
            + " paths they drive are the other tests' (docs/RELIABILITY.md, \"AArch64\")";

    @BeforeEach
    void notEmulated() {
        Backends.assumeNotEmulated(EMULATED);
    }

    /** Beyond the storm's own time: JVM start, joins, and the watchdogs' own hang bounds. */
    private static final Duration SLACK = Duration.ofSeconds(90);

    /**
     * 1 s per method, hundreds of interrupts each: enough for a loss that
     * every run makes to show; the rare races are the stress profile's,
     * which runs it for minutes per method.
     */
    @Test
    void interruptStorm() {
        int secondsPerMethod = 1;
        run("org.cpylock.stress.InterruptStorm", Duration.ofSeconds(4L * secondsPerMethod),
                List.of("--seconds", Integer.toString(secondsPerMethod)));
    }

    /**
     * Bound to an interpreter, with the profiler's handler installed with
     * {@code SA_RESTART} only: the interpreter's own raw-mutex waits are not
     * written for a signal that ends them (docs/RELIABILITY.md).
     */
    @Test
    void signalStorm() {
        int seconds = 2;
        List<String> args = new ArrayList<>(List.of("--seconds", Integer.toString(seconds)));
        if (CPython.interpreter().isPresent()) {
            args.add("--restart-only");
        }
        run("org.cpylock.stress.SignalStorm", Duration.ofSeconds(seconds), args);
    }

    /**
     * A signal that ends a park early (a profiler's, installed without
     * {@code SA_RESTART}) makes no timed wait return before its time.
     */
    @Test
    void profilerSignalsDoNotCutTimedWaitsShort() throws InterruptedException {
        Backends.assumeBundled("a handler without SA_RESTART ends the interpreter's own raw-mutex waits");
        PyEvent event = new PyEvent();
        PyMutex held = new PyMutex();
        held.lock();
        MemorySegment word = Arena.ofAuto().allocate(8, 8);
        Duration wait = Duration.ofMillis(200);
        List<String> failures = new CopyOnWriteArrayList<>();
        StormLibrary.count(StormLibrary.SIGPROF, false);
        long handledBefore = StormLibrary.handled();
        int storm = StormLibrary.start(StormLibrary.SIGPROF, 100, "timed-waiter");
        try (Threads threads = new Threads()) {
            threads.start("timed-waiter", () -> {
                for (int round = 0; round < 3; round++) {
                    long start = System.nanoTime();
                    boolean set = event.await(wait);
                    check(failures, "PyEvent.await", !set, start, wait);
                    start = System.nanoTime();
                    ParkStatus status = ParkingLot.park(word, 0, 8, wait, null, true);
                    check(failures, "ParkingLot.park", status == ParkStatus.TIMEOUT, start, wait);
                    start = System.nanoTime();
                    LockStatus locked = held.lockTimed(wait, LockFlag.DETACH, LockFlag.HANDLE_SIGNALS);
                    check(failures, "PyMutex.lockTimed", locked == LockStatus.FAILURE, start, wait);
                    start = System.nanoTime();
                    try {
                        check(failures, "PyMutex.tryLock", !held.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS),
                                start, wait);
                    } catch (InterruptedException e) {
                        failures.add("PyMutex.tryLock: interrupted by a signal");
                    }
                }
            });
        } finally {
            StormLibrary.stop(storm);
        }
        held.unlock();
        assertTrue(StormLibrary.handled() > handledBefore, "the waiter received signals");
        assertEquals(List.of(), failures);
    }

    private static void check(List<String> failures, String what, boolean timedOut, long start, Duration wait) {
        long elapsed = System.nanoTime() - start;
        if (!timedOut) {
            failures.add(what + ": did not time out");
        } else if (elapsed < wait.toNanos()) {
            failures.add(what + ": timed out after " + elapsed / 1_000_000 + " ms of " + wait.toMillis());
        }
    }

    /** Runs a storm in a JVM of its own, in this JVM's flavour and backend. */
    private static void run(String main, Duration storm, List<String> args) {
        GuardedJvm.Outcome outcome = GuardedJvm.run(GuardedJvm.Launch.of(CPython.flavour().id(),
                CPython.interpreter().map(Path::toString), storm.plus(SLACK), OUTPUT, main, args));
        String text = outcome.text();
        assertEquals(0, outcome.status(), () -> main + " exited with " + outcome.status()
                + (outcome.killed() ? " (killed: hung or wedged)" : "") + "; its output (" + outcome.output() + "):\n"
                + tail(text, 60));
        System.out.print(text);
    }

    private static String tail(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", List.of(all).subList(Math.max(0, all.length - lines), all.length));
    }
}
