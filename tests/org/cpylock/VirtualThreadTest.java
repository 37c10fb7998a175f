package org.cpylock;

import org.cpylock.embed.Backends;
import org.cpylock.tck.Threads;
import org.junit.jupiter.api.Test;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import javax.management.JMException;
import javax.management.ObjectName;
import javax.management.openmbean.TabularData;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Virtual threads. A virtual thread waiting inside the library is pinned to
 * its carrier (native frames cannot be unmounted), so the scheduler's P
 * carriers (P = -Djdk.virtualThreadScheduler.parallelism, by default the
 * number of processors) are what waiting virtual threads can occupy.
 * PyMutex and PyEvent waits leave one carrier free (the others wait in Java);
 * within P - 1 waiting virtual threads of the other primitives, the others
 * keep running; see docs/RELIABILITY.md.
 */
class VirtualThreadTest {
    private static int carriers() {
        return Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                Runtime.getRuntime().availableProcessors());
    }

    @Test
    void thousandVirtualThreadsContendOneMutex() {
        PyMutex mutex = new PyMutex();
        long[] counter = {0};
        int threadsCount = 1_000;
        int iterations = 100;
        try (Threads threads = new Threads()) {
            for (int t = 0; t < threadsCount; t++) {
                threads.start(Thread.ofVirtual().name("virtual-" + t), () -> {
                    for (int i = 0; i < iterations; i++) {
                        mutex.lock();
                        counter[0]++;
                        mutex.unlock();
                    }
                });
            }
        }
        mutex.lock();
        assertEquals((long) threadsCount * iterations, counter[0]);
        mutex.unlock();
        assertEquals(0, mutex.bits());
    }

    @Test
    void waitingVirtualThreadsBelowTheCarrierCountLeaveTheSchedulerRunning() {
        int waiting = carriers() - 1;
        PyEvent event = new PyEvent();
        AtomicInteger parked = new AtomicInteger();
        AtomicInteger woken = new AtomicInteger();
        try (Threads threads = new Threads()) {
            List<Thread> waiters = new ArrayList<>();
            for (int i = 0; i < waiting; i++) {
                waiters.add(threads.start(Thread.ofVirtual().name("waiter-" + i), () -> {
                    parked.incrementAndGet();
                    event.await();
                    woken.incrementAndGet();
                }));
            }
            Threads.awaitTrue(() -> parked.get() == waiting, "the waiters to start");
            if (waiting > 0) {
                Threads.awaitBits(event::bits, 2, "the waiters to park");
            }
            // These need a free carrier: the waiters pin the others.
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

    /**
     * More virtual threads than carriers wait for a mutex whose holder, a
     * virtual thread too, sleeps (unmounts) while holding it: were they all
     * to wait in native code, no carrier would be left to run the holder.
     */
    @Test
    void virtualThreadsBeyondTheCarriersWaitForAHolderThatSleeps() throws Exception {
        PyMutex mutex = new PyMutex();
        int waiting = carriers() + 2;
        CountDownLatch held = new CountDownLatch(1);
        AtomicInteger acquired = new AtomicInteger();
        int[] pinnedWhileHeld = {-1};
        try (Threads threads = new Threads()) {
            threads.start(Thread.ofVirtual().name("holder"), () -> {
                mutex.lock();
                held.countDown();
                Threads.awaitTrue(() -> CPython.waits().size() == waiting, "the waiters to wait");
                Threads.sleepMillis(50);
                pinnedWhileHeld[0] = pinnedCarriers();
                mutex.unlock();
            });
            held.await();
            for (int i = 0; i < waiting; i++) {
                threads.start(Thread.ofVirtual().name("waiter-" + i), () -> {
                    mutex.lock();
                    acquired.incrementAndGet();
                    mutex.unlock();
                });
            }
        }
        assertEquals(waiting, acquired.get());
        assertTrue(pinnedWhileHeld[0] >= 0 && pinnedWhileHeld[0] <= carriers() - 1,
                "carriers pinned by waits while the holder slept: " + pinnedWhileHeld[0]);
        assertEquals(0, mutex.bits());
        assertEquals(0, pinnedCarriers());
    }

    /** The event counterpart: more waiting virtual threads than carriers, set by a virtual thread. */
    @Test
    void virtualThreadsBeyondTheCarriersAwaitAnEventAVirtualThreadSets() {
        PyEvent event = new PyEvent();
        int waiting = carriers() + 2;
        AtomicInteger woken = new AtomicInteger();
        try (Threads threads = new Threads()) {
            for (int i = 0; i < waiting; i++) {
                threads.start(Thread.ofVirtual().name("waiter-" + i), () -> {
                    event.await();
                    woken.incrementAndGet();
                });
            }
            Threads.awaitTrue(() -> CPython.waits().size() == waiting, "the waiters to wait");
            threads.start(Thread.ofVirtual().name("setter"), event::set);
        }
        assertEquals(waiting, woken.get());
        assertTrue(event.isSet());
    }

    /** Interrupts and timeouts end virtual threads' waits, in native code or in Java, leaving the mutex held. */
    @Test
    void interruptsAndTimeoutsEndVirtualThreadsWaitsWhereverTheyWait() {
        Backends.assumeBundled("an interpreter ends no wait on an interrupt");
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
            Threads.awaitTrue(() -> CPython.waits().size() == waiting, "the waiters to wait");
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
        assertEquals(0, pinnedCarriers());
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
            Threads.awaitTrue(() -> CPython.waits().size() == waiting, "the waiters to wait");
            waiters.forEach(Thread::interrupt);
            Threads.sleepMillis(20);
            assertTrue(mutex.isLocked(), "an interrupt ended a lock() wait");
            mutex.unlock();
        }
        assertEquals(waiting, stillInterrupted.get());
        assertEquals(0, mutex.bits());
    }

    /** A virtual thread's native wait is counted as its carrier's pinned time, in the Waits MBean and the JFR event. */
    @Test
    void pinnedTimeIsCountedPerPrimitive() throws Exception {
        long before = pinnedNanos("RWMutex");
        RWMutex rw = new RWMutex();
        rw.lock();
        List<RecordedEvent> events;
        try (Recording recording = new Recording()) {
            recording.enable("org.cpylock.Wait").withThreshold(Duration.ZERO);
            recording.start();
            try (Threads threads = new Threads()) {
                threads.start(Thread.ofVirtual().name("pinned-reader"), () -> {
                    rw.rlock();
                    rw.runlock();
                });
                Threads.awaitTrue(() -> pinnedCarriers() == 1, "the reader to wait in native code");
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
        long pinned = pinnedNanos("RWMutex") - before;
        assertTrue(pinned >= Duration.ofMillis(20).toNanos(), "pinned: " + pinned + " ns");
        assertEquals(0, pinnedCarriers());
        RecordedEvent wait = events.stream()
                .filter(e -> e.getThread() != null && "pinned-reader".equals(e.getThread().getJavaName()))
                .findFirst().orElseThrow(() -> new AssertionError("no org.cpylock.Wait event of the reader"));
        assertTrue(wait.getBoolean("virtualThread"));
        assertTrue(wait.getDuration("carrierPinned").compareTo(Duration.ofMillis(20)) >= 0,
                "carrierPinned: " + wait.getDuration("carrierPinned"));
    }

    private static final ObjectName WAITS = waitsBean();

    private static ObjectName waitsBean() {
        try {
            return new ObjectName("org.cpylock:type=Waits");
        } catch (JMException e) {
            throw new AssertionError(e);
        }
    }

    private static int pinnedCarriers() {
        try {
            return (Integer) ManagementFactory.getPlatformMBeanServer().getAttribute(WAITS, "PinnedCarriers");
        } catch (JMException e) {
            throw new AssertionError(e);
        }
    }

    private static long pinnedNanos(String primitive) throws JMException {
        TabularData table = (TabularData) ManagementFactory.getPlatformMBeanServer()
                .getAttribute(WAITS, "CarrierPinnedNanos");
        var row = table.get(new Object[]{primitive});
        return row == null ? 0 : (Long) row.get("value");
    }
}
