package org.cpylock.stress;

import org.cpylock.CPython;
import org.cpylock.CriticalSection;
import org.cpylock.OnceFlag;
import org.cpylock.ParkingLot;
import org.cpylock.PyEvent;
import org.cpylock.PyMutex;
import org.cpylock.RWMutex;
import org.cpylock.RawMutex;
import org.cpylock.RecursiveMutex;
import org.cpylock.SeqLock;
import org.cpylock.api.Flavour;
import org.cpylock.api.LockFlag;
import org.cpylock.api.ParkStatus;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Virtual threads waiting in cpylock behind a virtual thread that holds the
 * primitive and sleeps, as a request handler might: K waiters, more than the
 * scheduler's carriers (run with {@code -Djdk.virtualThreadScheduler.parallelism=P
 * -Djdk.virtualThreadScheduler.maxPoolSize=P}). A bystander virtual thread
 * ticks all along; the holder releases only once every waiter waits and the
 * bystander has ticked since, so a wait that held its carrier would stop the
 * scheduler and the run would never end (its guard kills it). Every waiter
 * must complete, and exclusion must hold where the primitive excludes.
 *
 * <pre>
 * VirtualThreadScenarios K SCENARIO...   (or "all")
 * </pre>
 * Prints a line per scenario; exits with status 1 if one failed.
 */
public final class VirtualThreadScenarios {
    /** How long the holder sleeps once everybody waits (it unmounts meanwhile). */
    private static final long HOLD_MILLIS = 50;
    private static final Map<String, Scenario> SCENARIOS = new LinkedHashMap<>();

    private interface Scenario {
        void run(int waiters) throws Exception;
    }

    static {
        SCENARIOS.put("mutex-lock", k -> mutex(k, m -> m.lock()));
        SCENARIOS.put("mutex-lockInterruptibly", k -> mutex(k, m -> m.lockInterruptibly()));
        SCENARIOS.put("mutex-tryLock-timed", k -> mutex(k, m -> require(m.tryLock(1, TimeUnit.HOURS), "timed out")));
        SCENARIOS.put("mutex-lockTimed-signals", k -> mutex(k, m -> require(
                m.lockTimed(Duration.ofHours(1), LockFlag.DETACH, LockFlag.HANDLE_SIGNALS)
                        == org.cpylock.api.LockStatus.ACQUIRED, "not acquired")));
        SCENARIOS.put("raw-mutex", VirtualThreadScenarios::rawMutex);
        SCENARIOS.put("recursive-mutex", VirtualThreadScenarios::recursiveMutex);
        SCENARIOS.put("rw-readers-behind-writer", VirtualThreadScenarios::readersBehindWriter);
        SCENARIOS.put("rw-writers-behind-reader", VirtualThreadScenarios::writersBehindReader);
        SCENARIOS.put("seqlock-writers", VirtualThreadScenarios::seqLockWriters);
        SCENARIOS.put("seqlock-readers", VirtualThreadScenarios::seqLockReaders);
        SCENARIOS.put("event", VirtualThreadScenarios::event);
        SCENARIOS.put("once-flag", VirtualThreadScenarios::onceFlag);
        SCENARIOS.put("park-unparkAll", VirtualThreadScenarios::parkUnparkAll);
        SCENARIOS.put("critical-section", VirtualThreadScenarios::criticalSection);
    }

    private VirtualThreadScenarios() {
    }

    /** The scenarios' names, in order. */
    public static List<String> names() {
        return List.copyOf(SCENARIOS.keySet());
    }

    /**
     * The scenarios that apply to this JVM's backend: bound to an
     * interpreter, which identifies owners and thread states by OS thread,
     * virtual threads may not own recursive mutexes or (free-threaded) hold
     * critical sections (docs/RELIABILITY.md).
     */
    public static List<String> applicable() {
        if (CPython.interpreter().isEmpty()) {
            return names();
        }
        return names().stream().filter(name -> !name.equals("recursive-mutex")
                && !(name.equals("critical-section") && CPython.flavour() == Flavour.FREE_THREADED)).toList();
    }

    public static void main(String[] args) {
        int waiters = Integer.parseInt(args[0]);
        List<String> names = args.length == 2 && args[1].equals("all") ? names()
                : List.of(args).subList(1, args.length);
        System.out.println("cpylock " + CPython.version() + ", " + CPython.flavour().id() + " flavour"
                + CPython.interpreter().map(p -> ", bound to " + p).orElse("") + "; "
                + Integer.getInteger("jdk.virtualThreadScheduler.parallelism", Runtime.getRuntime().availableProcessors())
                + " carriers, " + waiters + " waiting virtual threads");
        for (String name : names()) {
            if (!applicable().contains(name)) {
                System.out.println("  skipped " + name + ": bound to an interpreter, which identifies owners and"
                        + " thread states by OS thread, virtual threads may not use it");
            }
        }
        List<String> failures = new ArrayList<>();
        for (String name : names) {
            Scenario scenario = SCENARIOS.get(name);
            if (scenario == null) {
                throw new IllegalArgumentException("no scenario " + name + " (" + names() + ")");
            }
            long start = System.nanoTime();
            try {
                scenario.run(waiters);
                System.out.printf("  ok %s (%d ms)%n", name, (System.nanoTime() - start) / 1_000_000);
            } catch (Throwable e) {
                System.out.println("  FAILED " + name + ": " + e);
                e.printStackTrace(System.out);
                failures.add(name);
            }
        }
        System.out.println(failures.isEmpty() ? "VirtualThreadScenarios: no failures"
                : "VirtualThreadScenarios: " + failures);
        System.exit(failures.isEmpty() ? 0 : 1);
    }

    /** An action that may throw. */
    private interface Body {
        void run() throws Exception;
    }

    /** An action on the primitive under test. */
    private interface On<T> {
        void run(T target) throws Exception;
    }

    /**
     * The common shape: {@code holder} takes the primitive; {@code waiters}
     * virtual threads start {@code waiter}; once {@code allWaiting} holds and
     * a bystander has ticked since, the holder sleeps and runs {@code release};
     * every waiter must finish.
     */
    private static void scenario(int waiters, Body hold, BooleanSupplier allWaiting, Body release, Body waiter)
            throws Exception {
        AtomicLong ticks = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        Thread bystander = Thread.ofVirtual().name("bystander").start(() -> {
            while (!stop.get()) {
                ticks.incrementAndGet();
                sleep(1);
            }
        });
        AtomicBoolean held = new AtomicBoolean();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Thread holder = Thread.ofVirtual().name("holder").start(() -> {
            try {
                hold.run();
                held.set(true);
                while (!allWaiting.getAsBoolean()) {
                    sleep(5);
                }
                long seen = ticks.get();
                while (ticks.get() < seen + 2) {
                    sleep(1);
                }
                sleep(HOLD_MILLIS);
                release.run();
            } catch (Throwable e) {
                failures.add(e);
            }
        });
        while (!held.get()) {
            sleep(1);
            if (!holder.isAlive() && !failures.isEmpty()) {
                throw new AssertionError("the holder failed", failures.peek());
            }
        }
        List<Thread> threads = new ArrayList<>(waiters);
        for (int i = 0; i < waiters; i++) {
            threads.add(Thread.ofVirtual().name("waiter-" + i).start(() -> {
                try {
                    waiter.run();
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        holder.join();
        for (Thread thread : threads) {
            thread.join();
        }
        stop.set(true);
        bystander.join();
        if (!failures.isEmpty()) {
            AssertionError error = new AssertionError(failures.size() + " threads failed");
            failures.forEach(error::addSuppressed);
            throw error;
        }
    }

    /** Waiting inside cpylock now: how many threads {@code CPython.waits()} lists on {@code address}. */
    private static BooleanSupplier waiting(long address, int count) {
        return () -> CPython.waits().stream().filter(w -> w.address() == address).count() >= count;
    }

    /** Counts entries to a region and checks that no two threads are inside at once. */
    private static final class Exclusion {
        private final AtomicInteger inside = new AtomicInteger();
        private int entries;

        void enter() {
            require(inside.incrementAndGet() == 1, "two threads inside at once");
            entries++;
            require(inside.decrementAndGet() == 0, "two threads inside at once");
        }
    }

    /**
     * The waiters take the lock one at a time ({@code lock}, then
     * {@code unlock}) behind a holder that holds it with {@code hold} and
     * {@code release}; each entry is checked to be alone, and all must enter.
     */
    private static void exclusive(int waiters, long address, Body hold, Body release, Body lock, Body unlock)
            throws Exception {
        Exclusion exclusion = new Exclusion();
        scenario(waiters, hold, waiting(address, waiters), release, () -> {
            lock.run();
            exclusion.enter();
            unlock.run();
        });
        require(exclusion.entries == waiters, exclusion.entries + " of " + waiters + " entered");
    }

    private static void mutex(int waiters, On<PyMutex> lock) throws Exception {
        PyMutex mutex = new PyMutex();
        exclusive(waiters, mutex.segment().address(), mutex::lock, mutex::unlock, () -> lock.run(mutex),
                mutex::unlock);
        require(mutex.bits() == 0, "byte left " + mutex.bits());
    }

    private static void rawMutex(int waiters) throws Exception {
        RawMutex mutex = new RawMutex();
        exclusive(waiters, mutex.segment().address(), mutex::lock, mutex::unlock, mutex::lock, mutex::unlock);
        require(mutex.bits() == 0, "word left " + mutex.bits());
    }

    private static void recursiveMutex(int waiters) throws Exception {
        RecursiveMutex mutex = new RecursiveMutex();
        Body twice = () -> {
            mutex.lock();
            mutex.lock();
        };
        Body unlockTwice = () -> {
            mutex.unlock();
            mutex.unlock();
        };
        exclusive(waiters, mutex.segment().address(), twice, unlockTwice, twice, unlockTwice);
        require(mutex.mutex().bits() == 0 && mutex.owner() == 0, "left " + mutex);
    }

    private static void readersBehindWriter(int waiters) throws Exception {
        RWMutex rw = new RWMutex();
        AtomicInteger reading = new AtomicInteger();
        AtomicInteger read = new AtomicInteger();
        scenario(waiters, rw::lock, waiting(rw.segment().address(), waiters), rw::unlock, () -> {
            rw.rlock();
            require((rw.bits() & 1) == 0, "a reader beside the writer");
            reading.incrementAndGet();
            read.incrementAndGet();
            reading.decrementAndGet();
            rw.runlock();
        });
        require(read.get() == waiters, read.get() + " of " + waiters + " read");
        require(rw.bits() == 0, "word left " + rw.bits());
    }

    private static void writersBehindReader(int waiters) throws Exception {
        RWMutex rw = new RWMutex();
        exclusive(waiters, rw.segment().address(), rw::rlock, rw::runlock, () -> {
            rw.lock();
            require(rw.readers() == 0, "a writer beside readers");
        }, rw::unlock);
        require(rw.bits() == 0, "word left " + rw.bits());
    }

    private static void seqLockWriters(int waiters) throws Exception {
        SeqLock lock = new SeqLock();
        exclusive(waiters, lock.segment().address(), lock::lockWrite, lock::unlockWrite, lock::lockWrite,
                lock::unlockWrite);
        require(lock.sequence() == 2L * (waiters + 1), "sequence " + Integer.toUnsignedString(lock.sequence()));
    }

    private static void seqLockReaders(int waiters) throws Exception {
        SeqLock lock = new SeqLock();
        AtomicInteger read = new AtomicInteger();
        scenario(waiters, lock::lockWrite, waiting(lock.segment().address(), waiters), lock::unlockWrite, () -> {
            int sequence = lock.beginRead();
            require(sequence == 2, "read sequence " + sequence);
            require(lock.endRead(sequence), "a quiet read was refused");
            read.incrementAndGet();
        });
        require(read.get() == waiters, read.get() + " of " + waiters + " read");
    }

    private static void event(int waiters) throws Exception {
        PyEvent event = new PyEvent();
        AtomicInteger woken = new AtomicInteger();
        scenario(waiters, () -> { }, waiting(event.segment().address(), waiters), event::set, () -> {
            event.await();
            woken.incrementAndGet();
        });
        require(woken.get() == waiters, woken.get() + " of " + waiters + " woken");
        require(event.bits() == 1, "byte " + event.bits());
    }

    private static void onceFlag(int waiters) throws Exception {
        OnceFlag flag = new OnceFlag();
        PyEvent started = new PyEvent();
        PyEvent finish = new PyEvent();
        AtomicInteger runs = new AtomicInteger();
        Thread runner = Thread.ofVirtual().name("runner").start(() -> flag.callOnce(() -> {
            runs.incrementAndGet();
            started.set();
            finish.await();
        }));
        started.await();
        scenario(waiters, () -> { }, waiting(flag.segment().address(), waiters), finish::set,
                () -> flag.callOnce(runs::incrementAndGet));
        runner.join();
        require(runs.get() == 1, "the action ran " + runs.get() + " times");
        require(flag.bits() == 4, "byte " + flag.bits());
    }

    private static void parkUnparkAll(int waiters) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment word = arena.allocate(ValueLayout.JAVA_INT);
            AtomicInteger woken = new AtomicInteger();
            scenario(waiters, () -> { }, waiting(word.address(), waiters), () -> {
                word.set(ValueLayout.JAVA_INT, 0, 1);
                ParkingLot.unparkAll(word);
            }, () -> {
                ParkStatus status = ParkingLot.park(word, 0, 4, Duration.ofHours(1), null, true);
                require(status == ParkStatus.OK || status == ParkStatus.AGAIN, "park ended " + status);
                woken.incrementAndGet();
            });
            require(woken.get() == waiters, woken.get() + " of " + waiters + " woken");
        }
    }

    private static void criticalSection(int waiters) throws Exception {
        PyMutex mutex = new PyMutex();
        Exclusion exclusion = new Exclusion();
        boolean locks = CPython.flavour() == Flavour.FREE_THREADED;
        CriticalSection[] held = new CriticalSection[1];
        scenario(waiters, () -> held[0] = CriticalSection.begin(mutex),
                locks ? waiting(mutex.segment().address(), waiters) : () -> true, () -> held[0].end(), () -> {
                    try (CriticalSection section = CriticalSection.begin(mutex)) {
                        if (locks) {
                            exclusion.enter();
                        }
                    }
                });
        require(!locks || exclusion.entries == waiters, exclusion.entries + " of " + waiters + " entered");
        require(mutex.bits() == 0, "byte left " + mutex.bits());
    }

    private static void require(boolean condition, String failure) {
        if (!condition) {
            throw new AssertionError(failure);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
