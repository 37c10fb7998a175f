package org.cpylock.embed;

import org.cpylock.CPython;
import org.cpylock.CriticalSection;
import org.cpylock.Flavour;
import org.cpylock.LockFlag;
import org.cpylock.LockStatus;
import org.cpylock.ParkStatus;
import org.cpylock.ParkingLot;
import org.cpylock.PyEvent;
import org.cpylock.PyMutex;
import org.cpylock.tck.Threads;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The scenarios that show whether the bundled library stays itself when a
 * libpython shares the process: a critical section suspended during a
 * detached wait, a hand-off, a park woken by an unpark that sees its
 * argument, an event. Each would go wrong if any of the library's internal
 * references bound to libpython's definitions of the same names.
 *
 * <pre>
 * IsolationScenarios LIBPYTHON before|after
 *   before  LIBPYTHON is loaded (dlopen RTLD_NOW | RTLD_GLOBAL) before cpylock's first use
 *   after   the scenarios run, LIBPYTHON is loaded, and they run again
 * </pre>
 * Prints a line per scenario and exits with status 1 if one failed.
 */
public final class IsolationScenarios {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private IsolationScenarios() {
    }

    public static void main(String[] args) {
        Path libpython = Path.of(args[0]);
        boolean before = switch (args[1]) {
            case "before" -> true;
            case "after" -> false;
            default -> throw new IllegalArgumentException("before or after, not " + args[1]);
        };
        List<String> failures = new ArrayList<>();
        if (before) {
            DynamicLinker.openGlobal(libpython);
            System.out.println("loaded " + libpython + " before cpylock's first use");
        } else {
            runAll("without libpython", failures);
            DynamicLinker.openGlobal(libpython);
            System.out.println("loaded " + libpython + " after cpylock's first use");
        }
        runAll("beside libpython", failures);
        System.out.println(failures.isEmpty() ? "IsolationScenarios: no failures" : "IsolationScenarios: " + failures);
        System.exit(failures.isEmpty() ? 0 : 1);
    }

    private static void runAll(String when, List<String> failures) {
        System.out.println("cpylock " + CPython.version() + ", " + CPython.flavour().id() + " flavour, " + when);
        run("critical section suspended during a detached wait", IsolationScenarios::sectionSuspendedWhileDetached,
                failures);
        run("hand-off to a waiter parked over 1 ms", IsolationScenarios::handOff, failures);
        run("park woken by an unpark that sees its argument", IsolationScenarios::parkAndUnpark, failures);
        run("event set wakes its waiter", IsolationScenarios::event, failures);
    }

    private static void run(String name, Runnable scenario, List<String> failures) {
        try {
            scenario.run();
            System.out.println("  ok " + name);
        } catch (Throwable e) {
            System.out.println("  FAILED " + name + ": " + e);
            failures.add(name);
        }
    }

    /**
     * Thread T holds a section on {@code a} and waits for {@code b} with
     * DETACH: its section is suspended, so {@code a} is free meanwhile
     * (free-threaded; the default flavour's sections lock nothing).
     */
    private static void sectionSuspendedWhileDetached() {
        PyMutex a = new PyMutex();
        PyMutex b = new PyMutex();
        boolean freeThreaded = CPython.flavour() == Flavour.FREE_THREADED;
        AtomicReference<LockStatus> status = new AtomicReference<>();
        AtomicBoolean sectionLocked = new AtomicBoolean();
        b.lock();
        try (Threads threads = new Threads()) {
            threads.start("section-holder", () -> {
                try (CriticalSection section = CriticalSection.begin(a)) {
                    sectionLocked.set(a.isLocked());
                    status.set(b.lockTimed(Duration.ofSeconds(10), LockFlag.DETACH));
                    if (status.get() == LockStatus.ACQUIRED) {
                        b.unlock();
                    }
                }
            });
            Threads.awaitBits(b::bits, 3, "the section holder to park on b");
            boolean acquired = a.tryLock(2, TimeUnit.SECONDS);
            require(acquired, "a.tryLock(2 s) failed: the waiting thread's section was not suspended");
            a.unlock();
            b.unlock();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        require(sectionLocked.get() == freeThreaded, "the section " + (freeThreaded ? "did not lock" : "locked") + " a");
        require(status.get() == LockStatus.ACQUIRED, "the detached wait ended with " + status.get());
        require(a.bits() == 0 && b.bits() == 0, "bytes left a=" + a.bits() + " b=" + b.bits());
    }

    /** A waiter parked for over 1 ms receives the mutex on unlock: the byte goes 3 to 1. */
    private static void handOff() {
        PyMutex m = new PyMutex();
        PyEvent acquired = new PyEvent();
        PyEvent release = new PyEvent();
        m.lock();
        int afterUnlock;
        try (Threads threads = new Threads()) {
            threads.start("waiter", () -> {
                m.lock();
                acquired.set();
                release.await(WAIT);
                m.unlock();
            });
            Threads.awaitBits(m::bits, 3, "the waiter to park");
            Threads.sleepMillis(50);
            m.unlock();
            afterUnlock = m.bits();
            require(acquired.await(WAIT), "the waiter did not get the mutex");
            release.set();
        }
        require(afterUnlock == 1, "right after unlock the byte was " + afterUnlock + ", not 1 (handed off)");
        require(m.bits() == 0, "byte left " + m.bits());
    }

    /** park(word, 7, 4, 5 s, "arg") is woken by an unpark whose callback receives "arg". */
    private static void parkAndUnpark() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment word = arena.allocate(ValueLayout.JAVA_INT);
            word.set(ValueLayout.JAVA_INT, 0, 7);
            AtomicReference<ParkStatus> status = new AtomicReference<>();
            AtomicBoolean sawArgument = new AtomicBoolean();
            try (Threads threads = new Threads()) {
                threads.start("parker", () -> status.set(ParkingLot.park(word, 7, 4, WAIT, "arg", false)));
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (!sawArgument.get() && System.nanoTime() < deadline) {
                    ParkingLot.unpark(word, (arg, more) -> {
                        if ("arg".equals(arg)) {
                            sawArgument.set(true);
                        }
                    });
                    Threads.sleepMillis(1);
                }
            }
            require(sawArgument.get(), "no unpark callback received the parker's argument");
            require(status.get() == ParkStatus.OK, "the park ended with " + status.get());
        }
    }

    /** A waiter parked on an event is woken by set(). */
    private static void event() {
        PyEvent event = new PyEvent();
        AtomicBoolean woken = new AtomicBoolean();
        try (Threads threads = new Threads()) {
            threads.start("event-waiter", () -> woken.set(event.await(WAIT)));
            Threads.awaitBits(event::bits, 2, "the waiter to park");
            event.set();
        }
        require(woken.get(), "the waiter was not woken");
        require(event.bits() == 1, "byte " + event.bits());
    }

    private static void require(boolean condition, String failure) {
        if (!condition) {
            throw new AssertionError(failure);
        }
    }
}
