package org.cpylock.internal;

import org.cpylock.ParkingLot;
import org.cpylock.api.ParkStatus;
import org.cpylock.testing.Backends;
import org.cpylock.tck.Threads;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A virtual thread that finds its parking-lot bucket's lock held (another
 * thread enqueues or unparks on the same bucket) waits for it parked in
 * Java, as a waiter of that {@code _PyRawMutex}, both before it enqueues and
 * when it takes its entry off the queue again after a timeout: the scheduler's carriers stay
 * free meanwhile. Here the lock is held by this test for as long as it takes
 * more virtual threads than there are carriers to reach it.
 */
class BucketLockTest {
    private static final long LOCKED = 1;

    @BeforeEach
    void bundled() {
        Backends.assumeBundled("bound to an interpreter, virtual threads wait through platform proxy threads");
    }

    @Test
    void parkersWaitingForTheBucketLockLeaveTheCarriersFree() {
        try (Arena arena = Arena.ofShared(); Threads threads = new Threads()) {
            MemorySegment word = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment bucketLock = bucketLockOf(word);
            Native.rawMutexLock(bucketLock);
            List<Thread> parkers = startParkers(threads, word, Duration.ofSeconds(60), ParkStatus.OK);
            leaveTheCarriersFreeWhileHeld(threads, bucketLock);
            Threads.wakeUntilEnded(() -> ParkingLot.unparkAll(word), parkers.toArray(Thread[]::new));
        }
    }

    @Test
    void timedOutParkersWaitingToLeaveTheQueueLeaveTheCarriersFree() {
        try (Arena arena = Arena.ofShared(); Threads threads = new Threads()) {
            MemorySegment word = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment bucketLock = bucketLockOf(word);
            List<Thread> parkers = startParkers(threads, word, Duration.ofMillis(500), ParkStatus.TIMEOUT);
            parkers.forEach(Threads::awaitParked);
            Threads.sleepMillis(Threads.QUEUE_MILLIS); // into the bucket's queue
            Native.rawMutexLock(bucketLock); // before their timeouts
            leaveTheCarriersFreeWhileHeld(threads, bucketLock);
            parkers.forEach(Threads::join);
        }
    }

    private static MemorySegment bucketLockOf(MemorySegment word) {
        return MemorySegment.ofAddress(Native.waiterBucketLock(word)).reinterpret(Long.BYTES);
    }

    /** More virtual parkers on {@code word} than carriers, each parked at most {@code timeout}, expecting {@code outcome}. */
    private static List<Thread> startParkers(Threads threads, MemorySegment word, Duration timeout,
                                             ParkStatus outcome) {
        int count = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                Runtime.getRuntime().availableProcessors()) + 2;
        List<Thread> parkers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            parkers.add(threads.start(Thread.ofVirtual().name("parker-" + i), () ->
                    assertEquals(outcome, ParkingLot.park(word, 0, 4, timeout, null, false))));
        }
        return parkers;
    }

    /**
     * Once a parker has linked itself into the held bucket lock, other
     * virtual threads run; then the lock is released.
     */
    private static void leaveTheCarriersFreeWhileHeld(Threads threads, MemorySegment bucketLock) {
        try {
            Threads.awaitTrue(() -> (bucketLock.get(ValueLayout.JAVA_LONG, 0) & ~LOCKED) != 0,
                    "a parker to wait for the bucket's lock");
            AtomicInteger ran = new AtomicInteger();
            for (int i = 0; i < 100; i++) {
                threads.start(Thread.ofVirtual().name("bystander-" + i), ran::incrementAndGet);
            }
            Threads.awaitTrue(() -> ran.get() == 100,
                    "virtual threads to run beside parkers waiting for a bucket lock");
        } finally {
            Native.rawMutexUnlock(bucketLock);
        }
    }
}
