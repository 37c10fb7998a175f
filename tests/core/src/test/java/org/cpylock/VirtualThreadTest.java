package org.cpylock;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.cpylock.api.Flavour;
import org.cpylock.api.LockFlag;
import org.cpylock.api.LockStatus;
import org.cpylock.api.ParkStatus;
import org.cpylock.testing.Backends;
import org.cpylock.tck.Threads;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import javax.management.JMException;
import javax.management.ObjectName;
import javax.management.openmbean.TabularData;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Virtual threads wait without holding their carriers, as waiters of
 * CPython's parking lot like any other (docs/RELIABILITY.md). The scheduler
 * here has its default carriers; {@code VirtualThreadScenarioTest} runs every
 * wait with one and two carriers and up to a thousand waiters.
 */
class VirtualThreadTest {
    /**
     * Bound to an interpreter, virtual threads wait through platform proxy
     * threads, whose wake-ups of virtual threads the emulated JVM's
     * scheduler loses: that JVM lets a volatile read overtake an earlier
     * volatile write, which the scheduler's hand-shakes rely on never
     * happening (docs/RELIABILITY.md, "AArch64").
     */
    @BeforeEach
    void notBoundUnderEmulation() {
        if (CPython.interpreter().isPresent()) {
            Backends.assumeNotEmulated("its virtual-thread scheduler strands runnable virtual threads woken by"
                    + " platform threads, with every carrier idle (docs/RELIABILITY.md, \"AArch64\")");
        }
    }

    private static int carriers() {
        return Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                Runtime.getRuntime().availableProcessors());
    }

    @Test
    void thousandVirtualThreadsContendOneMutex() {
        PyMutex mutex = new PyMutex();
        long[] counter = {0};
        LongAdder progress = new LongAdder();
        int threadsCount = 1_000;
        int iterations = 100;
        try (Threads threads = new Threads()) {
            for (int t = 0; t < threadsCount; t++) {
                threads.start(Thread.ofVirtual().name("virtual-" + t), () -> {
                    for (int i = 0; i < iterations; i++) {
                        mutex.lock();
                        counter[0]++;
                        mutex.unlock();
                        progress.increment();
                    }
                });
            }
            threads.joinAll(progress::sum);
        }
        mutex.lock();
        assertEquals((long) threadsCount * iterations, counter[0]);
        mutex.unlock();
        assertEquals(0, mutex.bits());
    }

    /** More virtual threads than carriers wait on an event; other virtual threads still run. */
    @Test
    void virtualThreadsWaitingBeyondTheCarriersLeaveTheSchedulerRunning() {
        int waiting = carriers() + 2;
        PyEvent event = new PyEvent();
        AtomicInteger woken = new AtomicInteger();
        try (Threads threads = new Threads()) {
            for (int i = 0; i < waiting; i++) {
                threads.start(Thread.ofVirtual().name("waiter-" + i), () -> {
                    event.await();
                    woken.incrementAndGet();
                });
            }
            Threads.awaitTrue(() -> waitsOn(event.segment()) == waiting, "the waiters to wait");
            AtomicInteger ran = new AtomicInteger();
            for (int i = 0; i < 100; i++) {
                threads.start(Thread.ofVirtual().name("worker-" + i), ran::incrementAndGet);
            }
            Threads.awaitTrue(() -> ran.get() == 100, "virtual threads to run beside " + waiting + " waiting ones");
            threads.start(Thread.ofVirtual().name("setter"), event::set);
        }
        assertEquals(waiting, woken.get());
        assertTrue(event.isSet());
    }

    /** A virtual thread parks in the same queue as platform threads: woken in arrival order, with the has-more flag. */
    @Test
    void aVirtualThreadIsQueuedInArrivalOrderWithPlatformThreads() {
        try (Arena arena = Arena.ofShared(); Threads threads = new Threads()) {
            MemorySegment word = arena.allocate(ValueLayout.JAVA_INT);
            List<Thread> parkers = new ArrayList<>();
            for (String name : List.of("platform-1", "virtual", "platform-2")) {
                Thread.Builder builder = name.equals("virtual") ? Thread.ofVirtual() : Thread.ofPlatform();
                parkers.add(threads.start(builder.name(name), () ->
                        assertEquals(ParkStatus.OK, ParkingLot.park(word, 0, 4, Duration.ofSeconds(60), name, false))));
                Threads.awaitTrue(() -> waitsOn(word) == parkers.size(), name + " to park");
                Threads.sleepMillis(Threads.QUEUE_MILLIS); // into the bucket's queue
            }
            List<String> order = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 3; i++) {
                ParkingLot.unpark(word, (arg, more) -> order.add(arg + (more ? "+" : "")));
            }
            assertEquals(List.of("platform-1+", "virtual+", "platform-2"), order);
        }
    }

    /** A virtual thread parked over 1 ms is handed the mutex by the unlock, as a platform thread is. */
    @Test
    void aVirtualWaiterIsHandedTheMutex() {
        PyMutex mutex = new PyMutex();
        AtomicBoolean acquired = new AtomicBoolean();
        PyEvent release = new PyEvent();
        mutex.lock();
        int afterUnlock;
        try (Threads threads = new Threads()) {
            threads.start(Thread.ofVirtual().name("waiter"), () -> {
                mutex.lock();
                acquired.set(true);
                release.await();
                mutex.unlock();
            });
            Threads.awaitBits(mutex::bits, 3, "the virtual thread to park");
            Threads.sleepMillis(20);
            mutex.unlock();
            afterUnlock = mutex.bits();
            Threads.awaitTrue(acquired::get, "the waiter to own the mutex");
            release.set();
        }
        assertEquals(1, afterUnlock, "the byte right after the unlock (3 to 1: handed off)");
        assertEquals(0, mutex.bits());
    }

    /**
     * A virtual thread's detached wait suspends its critical section, and
     * resuming it waits, in Java, for the mutex another thread took meanwhile.
     */
    @Test
    void aVirtualThreadsDetachedWaitSuspendsAndResumesItsSection() {
        Backends.assumeBundled("bound to an interpreter, virtual threads hold no critical sections");
        org.junit.jupiter.api.Assumptions.assumeTrue(CPython.flavour() == Flavour.FREE_THREADED,
                "the default flavour's sections lock nothing");
        PyMutex a = new PyMutex();
        PyMutex b = new PyMutex();
        AtomicBoolean heldAfterResume = new AtomicBoolean();
        b.lock();
        try (Threads threads = new Threads()) {
            threads.start(Thread.ofVirtual().name("section"), () -> {
                try (CriticalSection section = CriticalSection.begin(a)) {
                    assertEquals(LockStatus.ACQUIRED, b.lockTimed(Duration.ofSeconds(60), LockFlag.DETACH));
                    heldAfterResume.set(a.isLocked());
                    b.unlock();
                }
            });
            Threads.awaitBits(b::bits, 3, "the section's thread to park on b");
            // It marks b before it parks, and suspends its section as it parks.
            Threads.awaitTrue(a::tryLock, "the waiting thread's section to be suspended");
            b.unlock();
            Threads.awaitBits(a::bits, 3, "the resumption to wait for a");
            a.unlock();
        }
        assertTrue(heldAfterResume.get(), "the section did not hold a again after its wait");
        assertEquals(0, a.bits());
        assertEquals(0, b.bits());
    }

    /**
     * A virtual thread's detached wait that times out resumes its section
     * while its entry is still queued on the mutex it waited for, as in C:
     * the resumption's own wait, behind another thread's hold of the
     * section's mutex, is a second waiter of that thread, and both queues
     * stay whole.
     */
    @Test
    void aVirtualThreadsTimedOutWaitResumesItsSectionBehindAnotherHolder() {
        Backends.assumeBundled("bound to an interpreter, virtual threads hold no critical sections");
        org.junit.jupiter.api.Assumptions.assumeTrue(CPython.flavour() == Flavour.FREE_THREADED,
                "the default flavour's sections lock nothing");
        PyMutex a = new PyMutex();
        PyMutex b = new PyMutex();
        AtomicReference<LockStatus> result = new AtomicReference<>();
        AtomicBoolean heldAfterResume = new AtomicBoolean();
        b.lock();
        try (Threads threads = new Threads()) {
            threads.start(Thread.ofVirtual().name("section"), () -> {
                try (CriticalSection section = CriticalSection.begin(a)) {
                    result.set(b.lockTimed(Duration.ofMillis(100), LockFlag.DETACH));
                    heldAfterResume.set(a.isLocked());
                }
            });
            Threads.awaitBits(b::bits, 3, "the section's thread to park on b");
            Threads.awaitTrue(a::tryLock, "the waiting thread's section to be suspended");
            Threads.awaitBits(a::bits, 3, "the timed-out wait's resumption to wait for a");
            a.unlock();
        }
        assertEquals(LockStatus.FAILURE, result.get());
        assertTrue(heldAfterResume.get(), "the section did not hold a again after its wait");
        assertEquals(0, a.bits());
        b.unlock();
        assertEquals(0, b.bits());
        // Both buckets' queues still work: a waiter parks on each and is woken.
        for (PyMutex mutex : List.of(a, b)) {
            mutex.lock();
            try (Threads threads = new Threads()) {
                threads.start(Thread.ofVirtual().name("waiter"), () -> {
                    mutex.lock();
                    mutex.unlock();
                });
                Threads.awaitBits(mutex::bits, 3, "a waiter to park");
                mutex.unlock();
            }
            assertEquals(0, mutex.bits());
        }
    }

    /** Interrupts and timeouts end virtual threads' waits, leaving the mutex held. */
    @Test
    void interruptsAndTimeoutsEndVirtualThreadsWaits() {
        PyMutex mutex = new PyMutex();
        mutex.lock();
        int waiting = carriers() + 1;
        AtomicInteger interrupted = new AtomicInteger();
        AtomicInteger timedOut = new AtomicInteger();
        try (Threads threads = new Threads()) {
            List<Thread> interruptible = new ArrayList<>();
            for (int i = 0; i < waiting; i++) {
                interruptible.add(threads.start(Thread.ofVirtual().name("interruptible-" + i), () -> {
                    try {
                        mutex.lockInterruptibly();
                        mutex.unlock();
                    } catch (InterruptedException e) {
                        assertFalse(Thread.currentThread().isInterrupted());
                        interrupted.incrementAndGet();
                    }
                }));
            }
            Threads.awaitTrue(() -> waitsOn(mutex.segment()) == waiting, "the waiters to wait");
            interruptible.forEach(Thread::interrupt);
            for (Thread thread : interruptible) {
                Threads.join(thread);
            }
            for (int i = 0; i < waiting; i++) {
                threads.start(Thread.ofVirtual().name("timed-" + i), () -> {
                    try {
                        if (!mutex.tryLock(20, TimeUnit.MILLISECONDS)) {
                            timedOut.incrementAndGet();
                        }
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                });
            }
        }
        assertEquals(waiting, interrupted.get());
        assertEquals(waiting, timedOut.get());
        assertTrue(mutex.isLocked());
        mutex.unlock();
        assertEquals(0, mutex.bits());
    }

    /** A virtual thread's attempt that may not wait fails on a held mutex and leaves its byte as C would: 1. */
    @Test
    void aVirtualThreadsZeroTimeoutLeavesTheByteAlone() {
        PyMutex mutex = new PyMutex();
        mutex.lock();
        LockStatus[] status = new LockStatus[1];
        try (Threads threads = new Threads()) {
            threads.start(Thread.ofVirtual().name("no-wait"), () -> status[0] = mutex.lockTimed(Duration.ZERO));
        }
        assertEquals(LockStatus.FAILURE, status[0]);
        assertEquals(1, mutex.bits());
        mutex.unlock();
        assertEquals(0, mutex.bits());
    }

    /** lock() is not interruptible: an interrupt during the wait is still set once the mutex is taken. */
    @Test
    void anInterruptDuringAVirtualThreadsLockStaysSet() {
        PyMutex mutex = new PyMutex();
        mutex.lock();
        int waiting = carriers() + 1;
        AtomicInteger stillInterrupted = new AtomicInteger();
        try (Threads threads = new Threads()) {
            List<Thread> waiters = new ArrayList<>();
            for (int i = 0; i < waiting; i++) {
                waiters.add(threads.start(Thread.ofVirtual().name("waiter-" + i), () -> {
                    mutex.lock();
                    if (Thread.interrupted()) {
                        stillInterrupted.incrementAndGet();
                    }
                    mutex.unlock();
                }));
            }
            Threads.awaitTrue(() -> waitsOn(mutex.segment()) == waiting, "the waiters to wait");
            waiters.forEach(Thread::interrupt);
            Threads.sleepMillis(20);
            assertTrue(mutex.isLocked(), "an interrupt ended a lock() wait");
            mutex.unlock();
        }
        assertEquals(waiting, stillInterrupted.get());
        assertEquals(0, mutex.bits());
    }

    /**
     * A virtual thread's wait holds its carrier only in its short native
     * calls: what the Waits MBean and the JFR event count (never more than
     * the wait lasted).
     */
    @Test
    void pinnedTimeIsCountedPerPrimitive() throws Exception {
        RWMutex rw = new RWMutex();
        rw.lock();
        List<RecordedEvent> events;
        try (Recording recording = new Recording()) {
            recording.enable("org.cpylock.Wait").withThreshold(Duration.ZERO);
            recording.start();
            try (Threads threads = new Threads()) {
                threads.start(Thread.ofVirtual().name("virtual-reader"), () -> {
                    rw.rlock();
                    rw.runlock();
                });
                Threads.awaitBits(rw::bits, 3, "the reader to park");
                Threads.sleepMillis(20);
                rw.unlock();
            }
            recording.stop();
            Path file = Files.createTempFile("cpylock-pinned", ".jfr");
            try {
                recording.dump(file);
                events = RecordingFile.readAllEvents(file);
            } finally {
                Files.deleteIfExists(file);
            }
        }
        assertTrue(pinnedNanosPerPrimitive().get(new Object[]{"RWMutex"}) != null,
                "no CarrierPinnedNanos row for RWMutex");
        RecordedEvent wait = events.stream()
                .filter(e -> e.getThread() != null && "virtual-reader".equals(e.getThread().getJavaName()))
                .findFirst().orElseThrow(() -> new AssertionError("no org.cpylock.Wait event of the reader"));
        assertTrue(wait.getBoolean("virtualThread"));
        assertTrue(wait.getDuration("carrierPinned").compareTo(wait.getDuration()) <= 0,
                "carrierPinned " + wait.getDuration("carrierPinned") + " beyond the wait's " + wait.getDuration());
    }

    /** How many threads {@code CPython.waits()} lists on the memory at {@code segment}. */
    private static long waitsOn(MemorySegment segment) {
        return CPython.waits().stream().filter(w -> w.address() == segment.address()).count();
    }

    private static TabularData pinnedNanosPerPrimitive() throws JMException {
        return (TabularData) ManagementFactory.getPlatformMBeanServer()
                .getAttribute(new ObjectName("org.cpylock:type=Waits"), "CarrierPinnedNanos");
    }
}
