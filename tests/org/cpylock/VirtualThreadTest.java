package org.cpylock;

import org.cpylock.tck.Threads;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Virtual threads. A virtual thread waiting inside the library is pinned to
 * its carrier (native frames cannot be unmounted), so the scheduler's P
 * carriers (P = -Djdk.virtualThreadScheduler.parallelism, by default the
 * number of processors) are what waiting virtual threads can occupy.
 * Within P - 1 waiting virtual threads, the others keep running; see
 * docs/RELIABILITY.md for the limit.
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
}
