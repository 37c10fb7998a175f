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
import org.cpylock.api.ParkStatus;
import org.cpylock.tck.SeqLockContract;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

/**
 * The load workloads: every primitive driven by several threads, each
 * counting what it checks. A failure is a lost update, a torn read, an
 * action run twice, or a wake-up that did not arrive within {@link #HANG}
 * (a lost wake-up); a workload whose threads do not finish within the hang
 * bound fails as a whole.
 */
final class Workloads {
    /** How long any single wait may take before it counts as a lost wake-up or a hang. */
    static final Duration HANG = Duration.ofSeconds(30);

    private Workloads() {
    }

    /** What a workload did: operations performed and failures found. */
    record Result(String name, int threads, long operations, long failures, long nanos) {
    }

    /** A workload: a name and a body run with (threads, operations per thread). */
    record Workload(String name, Body body) {
        Result run(int threads, long operations) {
            long start = System.nanoTime();
            long[] outcome = body.run(threads, operations);
            return new Result(name, threads, outcome[0], outcome[1], System.nanoTime() - start);
        }
    }

    @FunctionalInterface
    interface Body {
        /** Returns {operations, failures}. */
        long[] run(int threads, long operations);
    }

    static List<Workload> all() {
        List<Workload> workloads = new ArrayList<>();
        workloads.add(new Workload("PyMutex counter", Workloads::pyMutexCounter));
        workloads.add(new Workload("RawMutex counter", Workloads::rawMutexCounter));
        workloads.add(new Workload("RecursiveMutex counter", Workloads::recursiveMutexCounter));
        workloads.add(new Workload("RWMutex writes and reads", Workloads::rwMutex));
        workloads.add(new Workload("SeqLock writes and reads", Workloads::seqLock));
        workloads.add(new Workload("OnceFlag races", Workloads::onceFlags));
        workloads.add(new Workload("CriticalSection counter", Workloads::criticalSections));
        workloads.add(new Workload("PyEvent ping-pong", Workloads::eventPingPong));
        workloads.add(new Workload("ParkingLot ping-pong", Workloads::parkingLotPingPong));
        return workloads;
    }

    // ---- mutual exclusion: a plain counter incremented under the lock ----

    private static long[] pyMutexCounter(int threads, long operations) {
        PyMutex mutex = new PyMutex();
        return counter(threads, operations, mutex::lock, mutex::unlock, mutex::bits);
    }

    private static long[] rawMutexCounter(int threads, long operations) {
        RawMutex mutex = new RawMutex();
        return counter(threads, operations, mutex::lock, mutex::unlock, mutex::bits);
    }

    /** Threads increment a plain counter under a mutex; failures: lost increments, and a word not back at 0. */
    private static long[] counter(int threads, long operations, Runnable lock, Runnable unlock, LongSupplier bits) {
        long[] counter = {0};
        runThreads(threads, t -> {
            for (long i = 0; i < operations; i++) {
                lock.run();
                counter[0]++;
                unlock.run();
            }
        });
        lock.run();
        long lost = (long) threads * operations - counter[0];
        unlock.run();
        return new long[]{(long) threads * operations, Math.abs(lost) + (bits.getAsLong() != 0 ? 1 : 0)};
    }

    private static long[] recursiveMutexCounter(int threads, long operations) {
        RecursiveMutex mutex = new RecursiveMutex();
        long[] counter = {0};
        AtomicLong failures = new AtomicLong();
        // Bound to an interpreter, a recursive mutex's owner is the OS thread: platform threads only.
        runThreads(threads, CPython.interpreter().isEmpty(), t -> {
            for (long i = 0; i < operations; i++) {
                mutex.lock();
                mutex.lock();
                if (mutex.level() != 1 || !mutex.isLockedByCurrentThread()) {
                    failures.incrementAndGet();
                }
                counter[0]++;
                mutex.unlock();
                mutex.unlock();
            }
        });
        mutex.lock();
        long lost = (long) threads * operations - counter[0];
        mutex.unlock();
        return new long[]{(long) threads * operations, Math.abs(lost) + failures.get() + (mutex.owner() != 0 ? 1 : 0)};
    }

    // ---- readers and writers: writers keep two fields equal; readers check ----

    private static long[] rwMutex(int threads, long operations) {
        RWMutex lock = new RWMutex();
        long[] fields = {0, 0};
        AtomicLong writes = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        runThreads(threads, t -> {
            for (long i = 0; i < operations; i++) {
                if ((i & 3) == 0) {
                    lock.lock();
                    fields[0]++;
                    fields[1]++;
                    lock.unlock();
                    writes.incrementAndGet();
                } else {
                    lock.rlock();
                    if (fields[0] != fields[1]) {
                        failures.incrementAndGet();
                    }
                    lock.runlock();
                }
            }
        });
        lock.lock();
        long lost = writes.get() - fields[0];
        lock.unlock();
        return new long[]{(long) threads * operations, Math.abs(lost) + failures.get() + (lock.bits() != 0 ? 1 : 0)};
    }

    private static long[] seqLock(int threads, long operations) {
        SeqLock lock = new SeqLock();
        int writers = Math.max(1, threads / 4);
        long[] fields = {0, 0};
        AtomicLong failures = new AtomicLong();
        runThreads(threads, t -> {
            for (long i = 0; i < operations; i++) {
                if (t < writers) {
                    lock.lockWrite();
                    fields[0]++;
                    fields[1]++;
                    lock.unlockWrite();
                } else if (SeqLockContract.readsTorn(lock, fields)) {
                    failures.incrementAndGet();
                }
            }
        });
        long expected = writers * operations;
        long lost = expected - fields[0];
        long sequence = Integer.toUnsignedLong(lock.sequence());
        return new long[]{(long) threads * operations,
                Math.abs(lost) + failures.get() + (sequence != (2 * expected) % (1L << 32) ? 1 : 0)};
    }

    // ---- once: every thread calls every flag; each action runs once ----

    private static long[] onceFlags(int threads, long operations) {
        int flags = (int) Math.min(operations, 1_000_000);
        OnceFlag[] once = new OnceFlag[flags];
        AtomicLong[] runs = new AtomicLong[flags];
        for (int i = 0; i < flags; i++) {
            once[i] = new OnceFlag();
            runs[i] = new AtomicLong();
        }
        AtomicLong failures = new AtomicLong();
        runThreads(threads, t -> {
            for (int i = 0; i < flags; i++) {
                AtomicLong run = runs[i];
                once[i].callOnce(run::incrementAndGet);
                if (!once[i].isDone()) {
                    failures.incrementAndGet();
                }
            }
        });
        for (AtomicLong run : runs) {
            if (run.get() != 1) {
                failures.incrementAndGet();
            }
        }
        return new long[]{(long) threads * flags, failures.get()};
    }

    // ---- critical sections: a counter under a section on one mutex ----

    private static long[] criticalSections(int threads, long operations) {
        PyMutex mutex = new PyMutex();
        PyMutex other = new PyMutex();
        long[] counter = {0};
        AtomicLong misnested = new AtomicLong();
        // Bound to an interpreter, critical sections belong to OS threads: platform threads only.
        runThreads(threads, CPython.interpreter().isEmpty(), t -> {
            for (long i = 0; i < operations; i++) {
                try (CriticalSection outer = CriticalSection.begin(mutex)) {
                    if ((i & 15) == 0) {
                        // A nested two-mutex section on the same mutex, as in CPython's tests.
                        try (CriticalSection inner = CriticalSection.begin(other, mutex)) {
                            if (CriticalSection.top() != inner && CPython.flavour() == Flavour.FREE_THREADED) {
                                misnested.incrementAndGet();
                            }
                            counter[0]++;
                        }
                    } else {
                        counter[0]++;
                    }
                }
            }
        });
        long total = (long) threads * operations;
        // The default flavour's sections lock nothing, so only the free-threaded
        // flavour promises an exact count.
        long lost = CPython.flavour() == Flavour.FREE_THREADED ? Math.abs(total - counter[0]) : 0;
        return new long[]{total, lost + misnested.get() + (mutex.bits() != 0 ? 1 : 0) + (other.bits() != 0 ? 1 : 0)};
    }

    // ---- wake-ups: strict alternation, each wait bounded ----

    private static long[] eventPingPong(int threads, long rounds) {
        AtomicLong failures = new AtomicLong();
        PyEvent[] ping = new PyEvent[(int) rounds];
        PyEvent[] pong = new PyEvent[(int) rounds];
        for (int r = 0; r < rounds; r++) {
            ping[r] = new PyEvent();
            pong[r] = new PyEvent();
        }
        runThreads(2, t -> {
            for (int r = 0; r < rounds; r++) {
                if (t == 0) {
                    ping[r].set();
                    if (!pong[r].await(HANG)) {
                        failures.incrementAndGet();
                        return;
                    }
                } else {
                    if (!ping[r].await(HANG)) {
                        failures.incrementAndGet();
                        return;
                    }
                    pong[r].set();
                }
            }
        });
        return new long[]{2 * rounds, failures.get()};
    }

    private static long[] parkingLotPingPong(int threads, long rounds) {
        AtomicLong failures = new AtomicLong();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment turn = arena.allocate(ValueLayout.JAVA_INT);
            VarHandle word = ValueLayout.JAVA_INT.varHandle();
            runThreads(2, t -> {
                int other = 1 - t;
                for (long r = 0; r < rounds; r++) {
                    // Wait for this thread's turn: park while the word names the other.
                    while ((int) word.getVolatile(turn, 0L) == other) {
                        ParkStatus status = ParkingLot.park(turn, other, 4, HANG, null, true);
                        if (status == ParkStatus.TIMEOUT && (int) word.getVolatile(turn, 0L) == other) {
                            failures.incrementAndGet();
                            return;
                        }
                    }
                    word.setVolatile(turn, 0L, other);
                    ParkingLot.unparkAll(turn);
                }
            });
        }
        return new long[]{2 * rounds, failures.get()};
    }

    /**
     * Runs {@code body(t)} on threads 0..n-1, the odd ones virtual threads,
     * and waits for them, failing on a hang or a thrown exception.
     */
    static void runThreads(int threads, IntConsumer body) {
        runThreads(threads, true, body);
    }

    /** {@link #runThreads(int, IntConsumer)}, with virtual threads only if {@code virtual}. */
    static void runThreads(int threads, boolean virtual, IntConsumer body) {
        List<Thread> started = new ArrayList<>();
        List<Throwable> thrown = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < threads; t++) {
            int index = t;
            Thread.Builder builder = virtual && t % 2 == 1 ? Thread.ofVirtual() : Thread.ofPlatform();
            started.add(builder.name("load-" + t).start(() -> {
                try {
                    body.accept(index);
                } catch (Throwable e) {
                    thrown.add(e);
                }
            }));
        }
        Duration workloadHang = HANG.multipliedBy(10);
        long deadline = System.nanoTime() + workloadHang.toNanos();
        for (Thread thread : started) {
            try {
                if (!thread.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                    throw new IllegalStateException(thread.getName() + " still running after " + workloadHang
                            + ": hang" + (thrown.isEmpty() ? "" : " (another thread threw " + thrown.getFirst() + ")"));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        if (!thrown.isEmpty()) {
            IllegalStateException failure = new IllegalStateException("a workload thread threw", thrown.getFirst());
            thrown.stream().skip(1).forEach(failure::addSuppressed);
            throw failure;
        }
    }
}
