package org.cpylock.tck;

import org.cpylock.api.CriticalSection;
import org.cpylock.api.Implementation;
import org.cpylock.api.LockStatus;
import org.cpylock.api.ParkStatus;
import org.cpylock.api.ParkingLot;
import org.cpylock.api.PyEvent;
import org.cpylock.api.PyMutex;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The parking lot: a thread parks on an address if the value there is what
 * it expects; an unpark wakes the longest waiting thread on that address,
 * handing its park argument to a callback first.
 */
public interface ParkingLotContract extends ImplementationProvider {
    /** A value that differs from the expected one: AGAIN at once, for every size. */
    @Test
    default void parkReturnsAgainWhenTheValueDiffers() {
        WordLot lot = new WordLot(implementation().parkingLot());
        for (int size : new int[]{1, 2, 4, 8}) {
            SegmentWord word = lot.newWord(size);
            word.set(5);
            assertEquals(ParkStatus.AGAIN, lot.park(word, 6, Threads.HANG, null, false), "size " + size);
            assertEquals(5, word.get());
        }
    }

    /**
     * An interrupted thread whose value differs still gets AGAIN: the value
     * is compared before the wait, where the interrupt shows
     * ({@code _PyParkingLot_Park}, {@code Python/parking_lot.c}); its
     * interrupt status stays set.
     */
    @Test
    default void anInterruptedThreadGetsAgainWhenTheValueDiffers() {
        Implementation impl = implementation();
        assumeTrue(impl.interruptsEndWaits(), "interrupts do not reach waits in " + impl.name());
        WordLot lot = new WordLot(impl.parkingLot());
        SegmentWord word = lot.newWord(4);
        Thread.currentThread().interrupt();
        ParkStatus status;
        boolean stillInterrupted;
        try {
            status = lot.park(word, 1, Duration.ofMillis(100), null, false);
        } finally {
            stillInterrupted = Thread.interrupted();
        }
        assertEquals(ParkStatus.AGAIN, status);
        assertTrue(stillInterrupted, "the park cleared the interrupt status");
    }

    /**
     * A thread interrupted before it parks on the value it expects does not
     * wait: the park reports {@link ParkStatus#INTERRUPTED}
     * ({@code ParkingLot.park}: "interrupted before or while parked"; the
     * interrupt plays the part of a signal, which ends the wait of
     * {@code _PyParkingLot_Park} with {@code Py_PARK_INTR},
     * {@code Python/parking_lot.c}), with a timeout as without limit. Its
     * interrupt status stays set, and it has left the queue: an unpark after
     * it finds nobody.
     */
    @Test
    default void aThreadInterruptedBeforeItParksOnTheExpectedValueGetsInterrupted() {
        Implementation impl = implementation();
        assumeTrue(impl.interruptsEndWaits(), "interrupts do not reach waits in " + impl.name());
        WordLot lot = new WordLot(impl.parkingLot());
        SegmentWord word = lot.newWord(4);
        for (Duration timeout : new Duration[] {Threads.HANG, Duration.ofNanos(-1)}) {
            String what = "a park with timeout " + timeout;
            InterruptedCall<ParkStatus> park = InterruptedCall.run("interrupted-parker",
                    () -> lot.park(word, 0, timeout, "interrupted", false),
                    parker -> Threads.wakeUntilEnded(() -> lot.unparkAll(word), parker));
            assertEquals(ParkStatus.INTERRUPTED, park.result(), what);
            assertTrue(park.stillInterrupted(), what + " cleared the interrupt status");
            assertNobodyUnparked(lot, word, "after " + what + " of an interrupted thread");
        }
    }

    /**
     * A {@code PyMutex} unlock that wakes a thread parked on the mutex's byte
     * through the parking lot, with an argument of its own, hands it nothing:
     * C's {@code mutex_unpark} ({@code Python/lock.c}) reads such a waiter
     * as one whose fairness time has not come, so the byte becomes 0 and the
     * parked thread returns OK.
     */
    @Test
    default void aMutexUnlockWakesAThreadParkedOnItsByteAndHandsItNothing() {
        Implementation impl = implementation();
        WordLot lot = new WordLot(impl.parkingLot());
        PyMutex mutex = impl.newMutex();
        SegmentWord bits = new SegmentWord(mutex.segment().asSlice(0, 1));
        mutex.lock();
        bits.set(3); // locked, with a parked thread: the unlock takes its slow path
        try (Threads threads = new Threads()) {
            Thread parker = threads.start("parked-on-the-byte", () ->
                    assertEquals(ParkStatus.OK, lot.park(bits, 3, Threads.HANG, "not a mutex waiter", false)));
            Threads.awaitParked(parker);
            mutex.unlock();
        }
        assertEquals(0, mutex.bits(), "the unlock handed the mutex to a thread that did not ask for it");
        assertTrue(mutex.tryLock());
        mutex.unlock();
    }

    /**
     * A {@code PyMutex} unlock that wakes a thread parked on the mutex's byte
     * through the parking lot, with a mutex waiter queued behind it, keeps
     * the has-parked bit for that waiter: {@code mutex_unpark}
     * ({@code Python/lock.c}) sets it for whoever it wakes when more wait.
     * The byte becomes 2 (not locked, has parked), so the next unlock takes
     * the slow path and wakes the mutex waiter.
     */
    @Test
    default void aMutexUnlockThatWakesAThreadParkedOnItsByteKeepsTheWaiterBehindIt() {
        Implementation impl = implementation();
        PyMutex mutex = impl.newMutex();
        AtomicInteger mutexWaiterLocked = new AtomicInteger();
        try (Threads threads = new Threads()) {
            unlockPastAThreadParkedOnTheByte(impl, threads, mutex, () -> {
                mutex.lock();
                mutexWaiterLocked.incrementAndGet();
                mutex.unlock();
            });
            assertEquals(2, mutex.bits(), "the unlock dropped the has-parked bit of the mutex waiter");
            assertEquals(0, mutexWaiterLocked.get());
            mutex.lock();
            mutex.unlock();
        }
        assertEquals(1, mutexWaiterLocked.get());
        assertEquals(0, mutex.bits());
    }

    /**
     * A timed mutex waiter whose park times out fails, even if the mutex is
     * free by then: {@code _PyMutex_LockTimed} returns
     * {@code PY_LOCK_FAILURE} on {@code Py_PARK_TIMEOUT} without looking at
     * the byte again ({@code Python/lock.c}). The mutex is left free under
     * the waiter by an unlock that woke a thread parked on its byte through
     * the parking lot (byte 2: not locked, has parked), which the byte keeps.
     */
    @Test
    default void aTimedMutexWaiterWhoseParkTimesOutFailsOverAFreeMutex() {
        Implementation impl = implementation();
        Duration timeout = Duration.ofMillis(250 + 10 * Threads.QUEUE_MILLIS);
        for (int attempt = 0; attempt < 3; attempt++) {
            PyMutex mutex = impl.newMutex();
            AtomicReference<LockStatus> status = new AtomicReference<>();
            boolean waiterQueuedAtTheUnlock;
            try (Threads threads = new Threads()) {
                unlockPastAThreadParkedOnTheByte(impl, threads, mutex, () -> {
                    status.set(mutex.lockTimed(timeout));
                    if (status.get() == LockStatus.ACQUIRED) {
                        mutex.unlock();
                    }
                });
                waiterQueuedAtTheUnlock = mutex.bits() == 2;
            }
            if (!waiterQueuedAtTheUnlock && status.get() == LockStatus.FAILURE) {
                continue; // the waiter timed out before the unlock (a busy machine): this decides nothing
            }
            assertEquals(LockStatus.FAILURE, status.get(), "the park timed out over a free mutex");
            assertEquals(2, mutex.bits(), "nothing clears the has-parked bit a waiter that timed out leaves");
            mutex.lock();
            mutex.unlock();
            assertEquals(0, mutex.bits());
            return;
        }
        fail("in 3 attempts the waiter always timed out before the unlock");
    }

    /**
     * The other side of that: a timed mutex waiter woken without the mutex
     * after its deadline looks at the byte once more. {@code _PyMutex_LockTimed}
     * clamps the time left to 0 after a park that returned {@code Py_PARK_OK}
     * without a hand-off and goes round its loop again, so it takes the mutex
     * if it is free, failing only if it is not ({@code Python/lock.c}). The
     * wake-up is made late on purpose: an unpark of the byte takes the waiter
     * out of the queue, then its callback outlasts the waiter's timeout and
     * frees the byte as an unlock that hands nothing over does (0: not
     * locked, nobody parked).
     */
    @Test
    default void aTimedMutexWaiterWokenAfterItsDeadlineTakesAFreeMutex() {
        Implementation impl = implementation();
        WordLot lot = new WordLot(impl.parkingLot());
        Duration timeout = Duration.ofMillis(100 + 4 * Threads.QUEUE_MILLIS);
        for (int attempt = 0; attempt < 5; attempt++) {
            PyMutex mutex = impl.newMutex();
            SegmentWord bits = new SegmentWord(mutex.segment().asSlice(0, 1));
            AtomicReference<LockStatus> status = new AtomicReference<>();
            AtomicReference<Object> found = new AtomicReference<>();
            mutex.lock();
            try (Threads threads = new Threads()) {
                threads.start("timed-waiter", () -> {
                    status.set(mutex.lockTimed(timeout));
                    if (status.get() == LockStatus.ACQUIRED) {
                        mutex.unlock();
                    }
                });
                Threads.awaitBits(mutex::bits, MutexContract.LOCKED_HAS_PARKED, "the timed waiter to park");
                Threads.sleepMillis(Threads.QUEUE_MILLIS);
                lot.unpark(bits, (arg, more) -> {
                    found.set(arg);
                    Threads.sleepMillis(timeout.toMillis() + 4 * Threads.QUEUE_MILLIS); // the deadline passes
                    bits.set(0);
                });
            }
            if (found.get() == null) {
                continue; // the waiter timed out before the unpark had the bucket (a busy machine): decides nothing
            }
            assertEquals(LockStatus.ACQUIRED, status.get(),
                    "woken without the mutex after its deadline, the waiter found the mutex free");
            assertEquals(0, mutex.bits());
            return;
        }
        fail("in 5 attempts the waiter always timed out before the unpark found it");
    }

    /**
     * Locks {@code mutex}, parks a thread on its byte through the parking lot,
     * starts {@code mutexWaiter} and lets it park behind (byte 3), then
     * unlocks: the unlock wakes the thread on the byte, which it hands
     * nothing, and returns once that thread's park has returned.
     */
    private static void unlockPastAThreadParkedOnTheByte(Implementation impl, Threads threads, PyMutex mutex,
                                                         Runnable mutexWaiter) {
        WordLot lot = new WordLot(impl.parkingLot());
        SegmentWord bits = new SegmentWord(mutex.segment().asSlice(0, 1));
        mutex.lock();
        Thread parker = threads.start("parked-on-the-byte", () ->
                assertEquals(ParkStatus.OK, lot.park(bits, 1, Threads.HANG, "not a mutex waiter", false)));
        Threads.awaitParked(parker);
        threads.start("mutex-waiter", mutexWaiter);
        Threads.awaitBits(mutex::bits, 3, "the mutex waiter to park behind");
        Threads.sleepMillis(Threads.QUEUE_MILLIS);
        mutex.unlock();
        Threads.join(parker);
    }

    /**
     * Setting an event that nobody waits for, or one already set, does not
     * touch the parking lot ({@code _PyEvent_Notify} exchanges the byte and
     * unparks only if it was has-parked, {@code Python/lock.c}), so an
     * unpark's callback may do it: no refusal, and the events are set.
     */
    @Test
    default void anUnparkCallbackMaySetAnEventThatNobodyWaitsFor() {
        Implementation impl = implementation();
        WordLot lot = new WordLot(impl.parkingLot());
        PyEvent unset = impl.newEvent();
        PyEvent alreadySet = impl.newEvent();
        alreadySet.set();
        lot.unpark(lot.newWord(4), (arg, more) -> {
            unset.set();
            alreadySet.set();
        });
        assertEquals(EventContract.SET, unset.bits());
        assertEquals(EventContract.SET, alreadySet.bits());
    }

    /**
     * Every call into the parking lot from inside an unpark's callback is
     * refused, on the callback's own address and on one of another bucket:
     * the callback runs under a bucket's lock ({@code _PyParkingLot_Unpark},
     * {@code Python/parking_lot.c}), where a park or unpark of the same
     * bucket would wait for ever. A refused unpark-all wakes nobody.
     */
    @Test
    default void everyCallFromAnUnparkCallbackIsRefused() {
        WordLot lot = new WordLot(implementation().parkingLot());
        MemorySegment struct = Arena.ofAuto().allocate(8, 8);
        SegmentWord word = new SegmentWord(struct.asSlice(0, 1));
        SegmentWord otherBucket = new SegmentWord(struct.asSlice(1, 1));
        AtomicReference<ParkStatus> bystander = new AtomicReference<>();
        List<String> refused = Collections.synchronizedList(new ArrayList<>());
        try (Threads threads = new Threads()) {
            Thread parker = threads.start("bystander", () -> bystander.set(lot.park(otherBucket, 0, Threads.HANG, null,
                    false)));
            Threads.awaitParked(parker);
            Threads.join(threads.start("unparker", () -> lot.unpark(word, (arg, more) -> {
                for (SegmentWord target : List.of(word, otherBucket)) {
                    String where = target == word ? " of the callback's own address" : " of another bucket";
                    refuse(refused, "park" + where, () -> lot.park(target, 1, Duration.ZERO, null, false));
                    refuse(refused, "unpark" + where, () -> lot.unpark(target, (a, m) -> { }));
                    refuse(refused, "unparkAll" + where, () -> lot.unparkAll(target));
                }
            }))); // on a thread of its own: a call that is not refused may wait for ever for the bucket
            Threads.sleepMillis(Threads.QUEUE_MILLIS);
            assertNull(bystander.get(), "a refused call woke the thread parked in the other bucket");
            lot.unparkAll(otherBucket);
        }
        assertEquals(List.of("park of the callback's own address", "unpark of the callback's own address",
                "unparkAll of the callback's own address", "park of another bucket", "unpark of another bucket",
                "unparkAll of another bucket"), refused);
        assertEquals(ParkStatus.OK, bystander.get());
    }

    /** Runs {@code call}, and adds {@code what} to {@code refused} if it threw {@link IllegalStateException}. */
    private static void refuse(List<String> refused, String what, Runnable call) {
        try {
            call.run();
        } catch (IllegalStateException expected) {
            refused.add(what);
        }
    }

    /**
     * The buckets' locks are separate: while an unpark's callback holds one
     * ({@link BucketHold}), parks and unparks on an address of another
     * bucket go ahead.
     */
    @Test
    default void anotherBucketIsNotHeldUpByAHeldOne() {
        Implementation impl = implementation();
        WordLot lot = new WordLot(impl.parkingLot());
        MemorySegment struct = Arena.ofAuto().allocate(8, 8);
        SegmentWord otherBucket = new SegmentWord(struct.asSlice(1, 1));
        AtomicReference<ParkStatus> status = new AtomicReference<>();
        AtomicBoolean unparked = new AtomicBoolean();
        try (Threads threads = new Threads()) {
            BucketHold bucket = BucketHold.of(threads, impl.parkingLot(), struct.asSlice(0, 1));
            try {
                threads.start("other-bucket", () -> {
                    status.set(lot.park(otherBucket, 1, Threads.HANG, null, false));
                    lot.unpark(otherBucket, (arg, more) -> { });
                    unparked.set(true);
                });
                Threads.awaitTrue(unparked::get, "a park and an unpark in another bucket while one bucket is held");
            } finally {
                bucket.release();
            }
        }
        assertEquals(ParkStatus.AGAIN, status.get());
    }

    /**
     * An expected value that fits in the word neither as a signed nor as an
     * unsigned value of its size is refused, for every size below 8, and
     * nobody parks.
     */
    @Test
    default void parkRefusesAValueThatDoesNotFit() {
        WordLot lot = new WordLot(implementation().parkingLot());
        for (int size : new int[]{1, 2, 4}) {
            SegmentWord word = lot.newWord(size);
            int bits = 8 * size;
            for (long expected : new long[]{1L << bits, -(1L << (bits - 1)) - 1}) {
                assertThrows(IllegalArgumentException.class,
                        () -> lot.park(word, expected, Threads.HANG, null, false),
                        size + "-byte word, expected " + expected);
            }
        }
    }

    /**
     * A park is refused for a word C could not compare: {@code atomic_memcmp}
     * in {@code _PyParkingLot_Park} ({@code Python/parking_lot.c}) reads a
     * value of 1, 2, 4 or 8 bytes, aligned to its size, in native memory.
     * Any other size, heap memory, memory smaller than the size and a word
     * not aligned to its size are refused (with a zero timeout, so that a
     * park that is not refused returns); a word at the start of larger
     * memory, and a byte at an odd address, are parked on. Waiters are keyed
     * by address, which heap memory does not have, so an unpark and an
     * unpark-all of heap memory are refused too; and a refused park leaves
     * its bucket free.
     */
    @Test
    default void parkRefusesOtherSizesAndMemoryThatCannotHoldTheWord() {
        ParkingLot lot = implementation().parkingLot();
        MemorySegment struct = Arena.ofAuto().allocate(16, 8);
        for (int size : new int[] {0, 3, 5, 6, 7, 16, -1, Integer.MIN_VALUE}) {
            assertThrows(IllegalArgumentException.class, () -> lot.park(struct, 0, size, Duration.ZERO, null, false),
                    "size " + size);
        }
        for (MemorySegment heap : new MemorySegment[] {MemorySegment.ofArray(new byte[8]),
                MemorySegment.ofArray(new long[1])}) { // the second aligned as an 8-byte word is
            assertThrows(IllegalArgumentException.class, () -> lot.park(heap, 0, 8, Duration.ZERO, null, false),
                    "a park on heap memory");
            assertThrows(IllegalArgumentException.class, () -> lot.unpark(heap, (arg, more) -> { }),
                    "an unpark of heap memory");
            assertThrows(IllegalArgumentException.class, () -> lot.unparkAll(heap), "an unpark-all of heap memory");
        }
        for (long[] word : new long[][] {{0, 2, 4}, {1, 2, 2}, {2, 4, 4}, {4, 8, 8}}) { // start, bytes, size
            MemorySegment refused = struct.asSlice(word[0], word[1]);
            assertThrows(IllegalArgumentException.class,
                    () -> lot.park(refused, 0, (int) word[2], Duration.ZERO, null, false),
                    "a " + word[2] + "-byte word in bytes " + word[0] + " to " + (word[0] + word[1] - 1)
                            + " of an 8-byte aligned struct");
            // the refusal left the address's bucket free: an unpark there finds nobody and returns
            AtomicReference<Object> found = new AtomicReference<>("not called");
            Threads.bounded("unpark after a refused park",
                    () -> { lot.unpark(refused, (arg, more) -> found.set(arg)); return null; });
            assertNull(found.get(), "the unpark's callback after a refused park");
        }
        assertEquals(ParkStatus.TIMEOUT, lot.park(struct, 0, 8, Duration.ZERO, null, false),
                "an 8-byte word at the start of 16 bytes");
        assertEquals(ParkStatus.TIMEOUT, lot.park(struct.asSlice(3, 1), 0, 1, Duration.ZERO, null, false),
                "a byte at an odd address");
    }

    /** The expected value and nobody to unpark: TIMEOUT, not before the timeout; at once for zero. */
    @Test
    default void parkTimesOut() {
        WordLot lot = new WordLot(implementation().parkingLot());
        SegmentWord word = lot.newWord(4);
        long start = System.nanoTime();
        assertEquals(ParkStatus.TIMEOUT, lot.park(word, 0, Duration.ofMillis(20), null, false));
        long elapsed = System.nanoTime() - start;
        assertTrue(elapsed >= Duration.ofMillis(15).toNanos(), "returned after " + elapsed + " ns");
        assertEquals(ParkStatus.TIMEOUT,
                Threads.bounded("zero-timeout", () -> lot.park(word, 0, Duration.ZERO, null, false)));
        SegmentWord wide = lot.newWord(8);
        wide.set(-1);
        assertEquals(ParkStatus.TIMEOUT, lot.park(wide, -1, Duration.ofMillis(1), null, false),
                "a 64-bit value with every bit set");
    }

    /**
     * Unpark hands the parked thread's argument to the callback, once (no
     * more waiters), then wakes it: OK. A thread may park with a null
     * argument ({@code park_arg} is any pointer in C): the unpark still
     * wakes it, and the callback gets null as its argument.
     */
    @Test
    default void unparkHandsTheParkArgumentToTheCallback() {
        WordLot lot = new WordLot(implementation().parkingLot());
        for (Object argument : new Object[] {new Object(), null}) {
            String what = argument == null ? "a null park argument" : "a park argument";
            SegmentWord word = lot.newWord(4);
            AtomicReference<ParkStatus> status = new AtomicReference<>();
            AtomicInteger calls = new AtomicInteger();
            AtomicReference<Object> received = new AtomicReference<>("not called");
            AtomicReference<Boolean> hasMore = new AtomicReference<>();
            try (Threads threads = new Threads()) {
                Thread parker = threads.start("parker", () -> status.set(lot.park(word, 0, Threads.HANG, argument,
                        false)));
                Threads.awaitParked(parker);
                lot.unpark(word, (arg, more) -> {
                    calls.incrementAndGet();
                    received.set(arg);
                    hasMore.set(more);
                });
            }
            assertEquals(1, calls.get(), what);
            assertSame(argument, received.get(), what);
            assertFalse(hasMore.get(), what);
            assertEquals(ParkStatus.OK, status.get(), what);
        }
    }

    /**
     * A waiter whose timeout expires after an unparker has taken it out of
     * the queue waits for that wake-up and reports it, {@code Py_PARK_OK}
     * ({@code _PyParkingLot_Park}, {@code Python/parking_lot.c}): the unpark
     * callback outlasts the waiter's timeout, so the race goes the same way
     * in every attempt.
     */
    @Test
    default void aTimeoutThatFiresAfterTheUnparkTookTheWaiterReportsTheWakeUp() {
        Duration timeout = Duration.ofMillis(100 + 4 * Threads.QUEUE_MILLIS);
        parkOutlastedByTheUnpark(new WordLot(implementation().parkingLot()), timeout,
                parker -> Threads.sleepMillis(2 * timeout.toMillis())); // the waiter's timeout expires meanwhile
    }

    /**
     * The same for an interrupt (a signal in C, {@code Py_PARK_INTR}) that
     * reaches the waiter after the unparker took it out of the queue: the
     * park waits for the wake-up and reports it.
     */
    @Test
    default void anInterruptAfterTheUnparkTookTheWaiterReportsTheWakeUp() {
        assumeTrue(implementation().interruptsEndWaits(), "interrupts do not reach waits in this implementation");
        parkOutlastedByTheUnpark(new WordLot(implementation().parkingLot()), Threads.HANG, parker -> {
            parker.interrupt();
            Threads.sleepMillis(4 * Threads.QUEUE_MILLIS); // the interrupt ends the waiter's park meanwhile
        });
    }

    /**
     * A waiter whose timeout expires after an unparker has taken it out of
     * the queue waits for that wake-up as it waited before: detached, its
     * critical sections suspended ({@code _PySemaphore_Wait(&wait.sema, -1,
     * detach)} in {@code _PyParkingLot_Park}, {@code Python/parking_lot.c}).
     * The waiter takes its section's mutex back when its timeout expires,
     * then waits for the bucket, which the unpark's callback holds; a
     * contender parks on that mutex meanwhile, and the suspension that the
     * second wait makes hands the mutex to the contender before the park
     * returns (free-threaded).
     */
    @Test
    default void aWaiterThatTimedOutWaitsForItsWakeUpWithItsSectionsSuspended() {
        Implementation impl = implementation();
        assumeTrue(impl.freeThreaded(), "sections lock nothing in the default build");
        WordLot lot = new WordLot(impl.parkingLot());
        Duration timeout = Duration.ofMillis(50 + 4 * Threads.QUEUE_MILLIS);
        for (int attempt = 0; attempt < 5; attempt++) {
            // The word and the mutex in one struct, in two buckets (neighbouring addresses).
            MemorySegment struct = Arena.ofAuto().allocate(8, 8);
            SegmentWord word = new SegmentWord(struct.asSlice(0, 4));
            PyMutex guarded = impl.mutexAt(struct, 4);
            AtomicReference<ParkStatus> status = new AtomicReference<>();
            AtomicReference<Object> received = new AtomicReference<>();
            long[] parkReturned = new long[1];
            AtomicReference<Contender> contender = new AtomicReference<>();
            try (Threads threads = new Threads()) {
                Thread parker = threads.start("parker", () -> {
                    try (CriticalSection ignored = impl.beginCriticalSection(guarded)) {
                        status.set(lot.park(word, 0, timeout, "parker", true));
                        parkReturned[0] = System.nanoTime();
                    }
                });
                Threads.awaitParked(parker);
                lot.unpark(word, (arg, more) -> {
                    received.set(arg);
                    if (arg == null) {
                        return;
                    }
                    Threads.awaitBits(guarded::bits, MutexContract.LOCKED,
                            "the waiter to take its section's mutex back once its timeout expired");
                    contender.set(Contender.parkOn(threads, guarded));
                });
                if (received.get() == null) {
                    parker.interrupt();
                    Threads.wakeUntilEnded(() -> lot.unparkAll(word), parker);
                }
            }
            if (received.get() == null) {
                continue;
            }
            assertEquals(ParkStatus.OK, status.get(), "the unparker had taken the waiter out of the queue");
            assertTrue(contender.get().hadItBefore(parkReturned[0]), "the waiter kept its section's mutex while it"
                    + " waited for its wake-up: the contender parked on it had it only after the park returned");
            return;
        }
        fail("in 5 attempts the unpark never found the waiter queued");
    }

    /**
     * A detaching timed park counts its timeout from the wait itself, after
     * the detach: {@code _PySemaphore_PlatformWait} reads the clock once
     * {@code _PySemaphore_Wait} has detached ({@code Python/parking_lot.c}).
     * Here the detach takes longer than the timeout: it suspends a critical
     * section whose mutex has a waiter, and the release of that mutex waits
     * for its bucket ({@link BucketHold}). An unpark that comes soon after
     * the detach still finds the waiter, which reports OK (free-threaded).
     */
    @Test
    default void aDetachingTimedParkCountsItsTimeoutFromTheWaitNotTheDetach() {
        Implementation impl = implementation();
        assumeTrue(impl.freeThreaded(), "sections lock nothing in the default build");
        WordLot lot = new WordLot(impl.parkingLot());
        Duration timeout = Duration.ofMillis(100 + 8 * Threads.QUEUE_MILLIS);
        PyMutex guarded = impl.newMutex();
        SegmentWord word = lot.newWord(4);
        AtomicBoolean begun = new AtomicBoolean();
        AtomicBoolean park = new AtomicBoolean();
        AtomicReference<ParkStatus> status = new AtomicReference<>();
        AtomicReference<Object> received = new AtomicReference<>();
        try (Threads threads = new Threads()) {
            Thread parker = threads.start("parker", () -> {
                try (CriticalSection ignored = impl.beginCriticalSection(guarded)) {
                    begun.set(true);
                    Threads.awaitTrue(park::get, "the test to let the thread park");
                    status.set(lot.park(word, 0, timeout, "parker", true));
                }
            });
            Threads.awaitTrue(begun::get, "the section to begin");
            Contender.parkOn(threads, guarded);
            BucketHold bucket = BucketHold.of(threads, impl.parkingLot(), guarded.segment());
            park.set(true);
            Threads.awaitParked(parker);
            Threads.sleepMillis(timeout.toMillis() + 4 * Threads.QUEUE_MILLIS); // the detach outlasts the timeout
            bucket.release();
            Threads.sleepMillis(Threads.QUEUE_MILLIS); // the detach ends; the wait and its timeout begin
            lot.unpark(word, (arg, more) -> received.set(arg));
            if (received.get() == null) {
                Threads.join(parker);
            }
        }
        assertEquals("parker", received.get(), "the unpark found the waiter still waiting");
        assertEquals(ParkStatus.OK, status.get());
        assertEquals(0, guarded.bits());
    }

    /**
     * A waiter whose timeout expires while another unpark of its bucket holds
     * the bucket's lock decides whether it was woken only once it holds that
     * lock ({@code is_unparking} is read under {@code bucket->mutex} in
     * {@code _PyParkingLot_Park}, {@code Python/parking_lot.c}). An unpark of
     * its address that queues for the lock after it, and so gets the lock
     * first (the lock is a {@code _PyRawMutex}, which wakes its last waiter
     * first, {@code Python/lock.c}), takes it out of the queue: its park
     * reports OK, and its park argument went to that unpark's callback. An
     * attempt in which the waiter got the lock first decides nothing, but
     * must still agree: a timeout, and no argument handed out. Either way a
     * thread parked on another byte of the bucket stays queued.
     */
    @Test
    default void aWaiterThatTimedOutIsWokenByAnUnparkThatGetsTheBucketBeforeIt() {
        wokenAfterItsTimeoutByAWakeUpThatGetsTheBucketFirst(false);
    }

    /**
     * The same race with an unpark of all: {@code dequeue_all} marks each
     * waiter it takes out as being unparked ({@code Python/parking_lot.c}),
     * so the waiter whose timeout expired reports OK instead of taking
     * itself out of a queue it has already left, and the thread parked on
     * another byte of the bucket stays queued.
     */
    @Test
    default void aWaiterThatTimedOutIsWokenByAnUnparkAllThatGetsTheBucketBeforeIt() {
        wokenAfterItsTimeoutByAWakeUpThatGetsTheBucketFirst(true);
    }

    private void wokenAfterItsTimeoutByAWakeUpThatGetsTheBucketFirst(boolean all) {
        WordLot lot = new WordLot(implementation().parkingLot());
        Duration timeout = Duration.ofMillis(100 + 4 * Threads.QUEUE_MILLIS);
        long hold = timeout.toMillis() + 12 * Threads.QUEUE_MILLIS;
        for (int attempt = 0; attempt < 5; attempt++) {
            MemorySegment struct = Arena.ofAuto().allocate(2 * 257 + 8, 8);
            SegmentWord word = new SegmentWord(struct.asSlice(0, 1));
            SegmentWord shared = new SegmentWord(struct.asSlice(257, 1)); // the same bucket
            SegmentWord bystanderWord = new SegmentWord(struct.asSlice(2 * 257, 1)); // and again
            Object argument = new Object();
            AtomicReference<ParkStatus> status = new AtomicReference<>();
            AtomicReference<Object> received = new AtomicReference<>();
            AtomicReference<Object> bystanderReceived = new AtomicReference<>();
            try (Threads threads = new Threads()) {
                Thread bystander = threads.start("bystander",
                        () -> lot.park(bystanderWord, 0, Duration.ofSeconds(5), "bystander", false));
                Threads.awaitParked(bystander);
                Thread parker = threads.start("parker", () -> status.set(lot.park(word, 0, timeout, argument, false)));
                Threads.awaitParked(parker);
                CountDownLatch holding = new CountDownLatch(1);
                Thread holder = threads.start("bucket-holder", () -> lot.unpark(shared, (arg, more) -> {
                    holding.countDown();
                    Threads.sleepMillis(hold); // the parker's timeout expires meanwhile
                }));
                Threads.awaitTrue(() -> holding.getCount() == 0, "the other unpark to hold the bucket");
                Threads.sleepMillis(timeout.toMillis() + 4 * Threads.QUEUE_MILLIS); // the parker waits for the bucket
                Thread unparker = threads.start("unparker", () -> {
                    if (all) {
                        lot.unparkAll(word);
                    } else {
                        lot.unpark(word, (arg, more) -> received.set(arg));
                    }
                });
                Threads.join(holder);
                Threads.join(parker);
                Threads.join(unparker);
                lot.unpark(bystanderWord, (arg, more) -> bystanderReceived.set(arg));
            }
            assertEquals("bystander", bystanderReceived.get(),
                    "the thread parked on another byte of the bucket was still queued");
            boolean wokenFirst = all ? status.get() == ParkStatus.OK : received.get() != null;
            if (!wokenFirst) {
                assertEquals(ParkStatus.TIMEOUT, status.get(), "no unpark handed out the waiter's argument");
                continue;
            }
            if (!all) {
                assertSame(argument, received.get());
            }
            assertEquals(ParkStatus.OK, status.get(),
                    "the unparker had the bucket first and took the waiter out of the queue, so its park was a wake-up");
            return;
        }
        fail("in 5 attempts the waiter that timed out always had the bucket before the wake-up that came after it");
    }

    /**
     * Parks a thread with {@code timeout} and unparks it with a callback that
     * runs {@code meanwhile} (given the parker) before it returns; the park
     * must report OK, and return only after the callback. An attempt in
     * which the unpark found nobody queued yet (its callback saw no park
     * argument) decides nothing and is made again.
     */
    private static void parkOutlastedByTheUnpark(WordLot lot, Duration timeout,
                                                 Consumer<Thread> meanwhile) {
        for (int attempt = 0; attempt < 5; attempt++) {
            SegmentWord word = lot.newWord(4);
            Object argument = new Object();
            AtomicReference<ParkStatus> status = new AtomicReference<>();
            AtomicReference<Object> received = new AtomicReference<>();
            long[] callbackEnded = new long[1];
            long[] parkReturned = new long[1];
            try (Threads threads = new Threads()) {
                Thread parker = threads.start("parker", () -> {
                    status.set(lot.park(word, 0, timeout, argument, false));
                    parkReturned[0] = System.nanoTime();
                    Thread.interrupted(); // an interrupt the park kept for its caller
                });
                Threads.awaitParked(parker);
                lot.unpark(word, (arg, more) -> {
                    received.set(arg);
                    if (arg != null) {
                        meanwhile.accept(parker);
                    }
                    callbackEnded[0] = System.nanoTime();
                });
                if (received.get() == null) {
                    parker.interrupt();
                    Threads.wakeUntilEnded(() -> lot.unparkAll(word), parker);
                }
            }
            if (received.get() == null) {
                continue;
            }
            assertSame(argument, received.get());
            assertEquals(ParkStatus.OK, status.get(),
                    "the unparker had taken the waiter out of the queue before its park ended");
            assertTrue(parkReturned[0] - callbackEnded[0] >= 0,
                    "the park returned before the unpark's callback ended, that is before its wake-up");
            return;
        }
        fail("in 5 attempts the unpark never found the waiter queued");
    }

    /** Two parked threads are woken in arrival order; the first unpark reports more waiters, the second not. */
    @Test
    default void unparkWakesInArrivalOrderWithTheHasMoreFlag() {
        WordLot lot = new WordLot(implementation().parkingLot());
        SegmentWord word = lot.newWord(4);
        List<Object> arguments = new ArrayList<>();
        List<Boolean> more = new ArrayList<>();
        try (Threads threads = new Threads()) {
            Thread first = threads.start("first-parker",
                    () -> assertEquals(ParkStatus.OK, lot.park(word, 0, Threads.HANG, "first", false)));
            Threads.awaitParked(first);
            Thread second = threads.start("second-parker",
                    () -> assertEquals(ParkStatus.OK, lot.park(word, 0, Threads.HANG, "second", false)));
            Threads.awaitParked(second);
            for (int i = 0; i < 2; i++) {
                lot.unpark(word, (arg, hasMore) -> {
                    arguments.add(arg);
                    more.add(hasMore);
                });
            }
        }
        assertEquals(List.of("first", "second"), arguments);
        assertEquals(List.of(true, false), more);
    }

    /**
     * An unpark with nobody parked on its address still calls the callback
     * once, with (null, false): also when a thread waits on another address
     * of the same bucket ({@code fn(arg, NULL, 0)} in
     * {@code _PyParkingLot_Unpark}, {@code Python/parking_lot.c}).
     */
    @Test
    default void unparkWithNobodyParked() {
        WordLot lot = new WordLot(implementation().parkingLot());
        MemorySegment struct = Arena.ofAuto().allocate(257 + 8, 8);
        SegmentWord word = new SegmentWord(struct.asSlice(0, 4));
        SegmentWord shared = new SegmentWord(struct.asSlice(257, 1)); // the same bucket
        assertNobodyUnparked(lot, word, "an empty bucket");
        try (Threads threads = new Threads()) {
            Thread bystander = threads.start("bystander", () ->
                    assertEquals(ParkStatus.OK, lot.park(shared, 0, Threads.HANG, "bystander", false)));
            Threads.awaitParked(bystander);
            assertNobodyUnparked(lot, word, "a bucket where another address's thread waits");
            Threads.wakeUntilEnded(() -> lot.unparkAll(shared), bystander);
        }
    }

    private static void assertNobodyUnparked(WordLot lot, SegmentWord word, String where) {
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<Object> received = new AtomicReference<>("not called");
        AtomicReference<Boolean> hasMore = new AtomicReference<>();
        lot.unpark(word, (arg, more) -> {
            calls.incrementAndGet();
            received.set(arg);
            hasMore.set(more);
        });
        assertEquals(1, calls.get(), where);
        assertNull(received.get(), where);
        assertFalse(hasMore.get(), where);
    }

    /**
     * A park with a timeout too long for nanoseconds lasts until an unpark
     * ends it: the timeout saturates, it does not wrap round.
     */
    @Test
    default void aTimeoutOfCenturiesWaits() {
        assertEachParkLastsUntilAnUnpark(LongTimeouts.CENTURIES);
    }

    /**
     * A park with a negative timeout lasts until an unpark ends it: C's
     * {@code _PySemaphore_PlatformWait} ({@code Python/parking_lot.c}) waits
     * without limit for a negative timeout. So for -1 ns, -1 s and a
     * negative timeout too long for nanoseconds.
     */
    @Test
    default void aNegativeTimeoutWaitsWithoutLimit() {
        assertEachParkLastsUntilAnUnpark(LongTimeouts.NEGATIVE);
    }

    /**
     * Parks a thread with each timeout, and unparks it only after
     * {@code 2 * QUEUE_MILLIS}: the unpark must be what ended its park.
     */
    private void assertEachParkLastsUntilAnUnpark(List<Duration> timeouts) {
        WordLot lot = new WordLot(implementation().parkingLot());
        for (Duration timeout : timeouts) {
            SegmentWord word = lot.newWord(4);
            AtomicReference<ParkStatus> status = new AtomicReference<>();
            try (Threads threads = new Threads()) {
                Thread parker = threads.start("parker", () -> status.set(lot.park(word, 0, timeout, null, false)));
                Threads.sleepMillis(2 * Threads.QUEUE_MILLIS);
                Threads.wakeUntilEnded(() -> lot.unparkAll(word), parker);
            }
            assertEquals(ParkStatus.OK, status.get(), "a park with a timeout of " + timeout);
        }
    }

    /** unparkAll wakes 20 parked threads; afterwards an unpark finds nobody. */
    @Test
    default void unparkAllWakesEveryWaiter() {
        WordLot lot = new WordLot(implementation().parkingLot());
        SegmentWord word = lot.newWord(8);
        AtomicInteger woken = new AtomicInteger();
        try (Threads threads = new Threads()) {
            List<Thread> parkers = new ArrayList<>();
            for (int t = 0; t < 20; t++) {
                parkers.add(threads.start("parker-" + t, () -> {
                    if (lot.park(word, 0, Threads.HANG, null, false) == ParkStatus.OK) {
                        woken.incrementAndGet();
                    }
                }));
            }
            parkers.forEach(Threads::awaitParked);
            Threads.wakeUntilEnded(() -> lot.unparkAll(word), parkers.toArray(Thread[]::new));
        }
        assertEquals(20, woken.get());
        AtomicReference<Object> found = new AtomicReference<>("not called");
        lot.unpark(word, (arg, more) -> found.set(more ? "more waiters" : arg));
        assertNull(found.get());
    }

    /**
     * A callback that throws: unpark rethrows that very exception, and the
     * waiter is woken all the same; with nobody parked, unpark rethrows it
     * too.
     */
    @Test
    default void throwingCallbackStillWakesTheWaiter() {
        WordLot lot = new WordLot(implementation().parkingLot());
        SegmentWord word = lot.newWord(4);
        IllegalStateException failure = new IllegalStateException("callback fails");
        AtomicReference<ParkStatus> status = new AtomicReference<>();
        AtomicReference<Object> received = new AtomicReference<>();
        try (Threads threads = new Threads()) {
            Thread parker = threads.start("parker", () -> status.set(lot.park(word, 0, Threads.HANG, "parked", false)));
            Threads.awaitParked(parker);
            RuntimeException thrown = assertThrows(RuntimeException.class, () -> lot.unpark(word, (arg, more) -> {
                received.set(arg);
                throw failure;
            }));
            assertSame(failure, thrown);
        }
        assertEquals("parked", received.get());
        assertEquals(ParkStatus.OK, status.get());
        // the callback is over for the unparking thread: it may unpark and park again
        AtomicReference<Object> nobody = new AtomicReference<>("not called");
        lot.unpark(word, (arg, more) -> nobody.set(arg));
        assertNull(nobody.get(), "an unpark with nobody parked calls the callback with no argument");
        assertEquals(ParkStatus.AGAIN, lot.park(word, 1, Threads.HANG, null, false));
        // with nobody parked, what the callback throws reaches the unparking thread too
        IllegalStateException alone = new IllegalStateException("callback fails, nobody parked");
        assertSame(alone, assertThrows(IllegalStateException.class, () -> lot.unpark(word, (arg, more) -> {
            throw alone;
        })));
    }

    /**
     * An interrupt does not end a wait that C makes without
     * {@code _PY_LOCK_HANDLE_SIGNALS} (every wait of {@link BlockedWait}:
     * after {@code EINTR}, C waits again), and the waiter comes out of it,
     * holding what it waited for, with its interrupt status still set.
     */
    @Test
    default void everyWaitThatAnInterruptDoesNotEndKeepsTheInterruptStatus() {
        assertEveryBlockedWaitOutlastsAnInterrupt(false);
    }

    /**
     * The same for an interrupt pending when the wait begins: C's waits
     * without {@code _PY_LOCK_HANDLE_SIGNALS} park again after the park that
     * the interrupt ends, so each wait of {@link BlockedWait} begun by an
     * interrupted thread parks and waits for what it waits for, neither
     * ending at the interrupt nor clearing it: the interrupt status is still
     * set after the wait.
     */
    @Test
    default void everyWaitBegunWithAnInterruptPendingWaitsAndKeepsTheInterruptStatus() {
        assertEveryBlockedWaitOutlastsAnInterrupt(true);
    }

    /**
     * Interrupts a waiter of each {@link BlockedWait}, all at once, before
     * its wait ({@code beforeTheWait}) or once it is parked: each wait must
     * go on until its holder releases the primitive, and the interrupt status
     * must be set after it.
     */
    private void assertEveryBlockedWaitOutlastsAnInterrupt(boolean beforeTheWait) {
        Implementation impl = implementation();
        List<BlockedWait> waits = BlockedWait.all(impl);
        List<AtomicReference<Boolean>> interruptedAfter = new ArrayList<>();
        try (Threads threads = new Threads()) {
            List<Runnable> releases = new ArrayList<>();
            try {
                List<Thread> waiters = new ArrayList<>();
                for (BlockedWait wait : waits) {
                    releases.add(wait.holdOnAnotherThread(impl, threads));
                    AtomicReference<Boolean> after = new AtomicReference<>();
                    interruptedAfter.add(after);
                    waiters.add(threads.start("waiter of " + wait.name(), () -> {
                        if (beforeTheWait) {
                            Thread.currentThread().interrupt();
                        }
                        wait.await().run();
                        after.set(Thread.interrupted());
                    }));
                }
                for (int i = 0; i < waits.size(); i++) {
                    BlockedWait wait = waits.get(i);
                    Thread waiter = waiters.get(i);
                    Threads.awaitTrue(() -> wait.parked().getAsBoolean() || !waiter.isAlive(),
                            wait.name() + " to park");
                }
                if (!beforeTheWait) {
                    waiters.forEach(Thread::interrupt);
                }
                Threads.sleepMillis(Threads.QUEUE_MILLIS); // time for the interrupts to reach the waits
                for (int i = 0; i < waits.size(); i++) {
                    assertNull(interruptedAfter.get(i).get(), waits.get(i).name() + ": the interrupt ended the wait");
                }
            } finally {
                releases.forEach(Runnable::run);
            }
        }
        for (int i = 0; i < waits.size(); i++) {
            assertEquals(Boolean.TRUE, interruptedAfter.get(i).get(),
                    waits.get(i).name() + ": the interrupt status after the wait");
        }
    }

    /** A waiter parked with detach suspends its critical sections while it waits (free-threaded build). */
    @Test
    default void detachedParkSuspendsCriticalSections() {
        Implementation impl = implementation();
        WordLot lot = new WordLot(impl.parkingLot());
        SegmentWord word = lot.newWord(4);
        PyMutex guarded = impl.newMutex();
        AtomicInteger afterPark = new AtomicInteger(-1);
        try (Threads threads = new Threads()) {
            Thread parker = threads.start("parker", () -> {
                try (CriticalSection ignored = impl.beginCriticalSection(guarded)) {
                    assertEquals(ParkStatus.OK, lot.park(word, 0, Threads.HANG, null, true));
                    afterPark.set(guarded.bits());
                }
            });
            Threads.awaitParked(parker);
            assertEquals(0, guarded.bits(), "released while parked detached");
            Threads.wakeUntilEnded(() -> lot.unparkAll(word), parker);
        }
        assertEquals(impl.freeThreaded() ? 1 : 0, afterPark.get(), "held again after the park");
        assertEquals(0, guarded.bits());
    }

    /**
     * A word of any size holds any value of its C type: a thread parks when
     * every bit matches ({@code atomic_memcmp} over the word's bytes,
     * {@code Python/parking_lot.c}) and is refused when any one bit differs,
     * the top bit (a sign bit in Java) and a bit of the upper half included.
     * A word narrower than a {@code long} may be expected as its signed
     * value too: -1 is a word of all ones.
     */
    @Test
    default void parkComparesEveryBitOfEverySize() {
        WordLot lot = new WordLot(implementation().parkingLot());
        for (int size : new int[]{1, 2, 4, 8}) {
            int bits = 8 * size;
            long all = bits == 64 ? -1 : (1L << bits) - 1;
            long top = 1L << (bits - 1);
            for (long value : new long[]{0, 1, top, all, all ^ top, 0x5A5A_5A5A_5A5A_5A5AL & all}) {
                String what = size + "-byte word holding 0x" + Long.toHexString(value);
                SegmentWord word = lot.newWord(size);
                word.set(value);
                assertEquals(value, word.get(), what);
                assertEquals(ParkStatus.TIMEOUT, lot.park(word, value, Duration.ofMillis(1), null, false),
                        what + ": parks on its own value");
                if (size < 8 && (value & top) != 0) {
                    long signed = value - (1L << bits);
                    assertEquals(ParkStatus.TIMEOUT, lot.park(word, signed, Duration.ofMillis(1), null, false),
                            what + ": parks on its signed value " + signed);
                }
                for (long flip : new long[]{1, top, 1L << (bits / 2)}) {
                    assertEquals(ParkStatus.AGAIN, lot.park(word, value ^ flip, Threads.HANG, null, false),
                            what + ": expected 0x" + Long.toHexString(value ^ flip));
                }
                assertEquals(value, word.get(), what);
            }
        }
    }

    /**
     * A word of 1, 2 or 4 bytes at any aligned offset of a struct is
     * compared alone: its own bytes, whatever its neighbours hold (a port
     * that reads a narrow word through its aligned container must shift by
     * its offset in bits), and the neighbours stay as they were.
     */
    @Test
    default void parkComparesAWordAtEveryOffsetOfAStruct() {
        WordLot lot = new WordLot(implementation().parkingLot());
        MemorySegment struct = Arena.ofAuto().allocate(8, 8);
        for (int size : new int[]{1, 2, 4}) {
            long value = 0x3C5A_1E69L & (size == 4 ? 0xFFFF_FFFFL : (1L << (8 * size)) - 1);
            long top = 1L << (8 * size - 1);
            for (int offset = 0; offset < 8; offset += size) {
                String what = size + "-byte word at offset " + offset + " holding 0x" + Long.toHexString(value);
                struct.fill((byte) 0xA5);
                SegmentWord word = new SegmentWord(struct.asSlice(offset, size));
                word.set(value);
                assertEquals(ParkStatus.TIMEOUT, lot.park(word, value, Duration.ofMillis(1), null, false),
                        what + ": parks on its own value");
                for (long flip : new long[]{1, top}) {
                    assertEquals(ParkStatus.AGAIN, lot.park(word, value ^ flip, Threads.HANG, null, false),
                            what + ": expected 0x" + Long.toHexString(value ^ flip));
                }
                assertEquals(value, word.get(), what);
                for (int at = 0; at < 8; at++) {
                    if (at < offset || at >= offset + size) {
                        assertEquals((byte) 0xA5, struct.get(ValueLayout.JAVA_BYTE, at),
                                what + ": byte " + at + " changed");
                    }
                }
            }
        }
    }

    /**
     * Addresses share one of CPython's 257 buckets when they are equal
     * modulo 257 ({@code Python/parking_lot.c}), and an unpark's "has more
     * waiters" counts every waiter of the bucket, not only those of its
     * address; yet an unpark wakes only a waiter of its own address.
     * Neighbouring bytes of one struct are in different buckets.
     */
    @Test
    default void hasMoreWaitersCountsTheWholeBucket() {
        WordLot lot = new WordLot(implementation().parkingLot());
        MemorySegment struct = Arena.ofAuto().allocate(2 * 257 + 8, 8);
        SegmentWord word = new SegmentWord(struct.asSlice(0, 1));
        assertTrue(hasMoreAfterUnpark(lot, word, new SegmentWord(struct.asSlice(257, 1))),
                "a byte 257 bytes on shares the bucket");
        assertTrue(hasMoreAfterUnpark(lot, word, new SegmentWord(struct.asSlice(2 * 257, 2))),
                "a 2-byte word 514 bytes on shares the bucket");
        assertFalse(hasMoreAfterUnpark(lot, word, new SegmentWord(struct.asSlice(1, 1))),
                "the next byte is in the next bucket");
        assertFalse(hasMoreAfterUnpark(lot, word, new SegmentWord(struct.asSlice(8, 8))),
                "an 8-byte word 8 bytes on is in another bucket");
    }

    /**
     * Parks one thread on {@code first} and one on {@code second}, in either
     * order, unparks {@code first} and then {@code second}, and checks that
     * each unpark woke its own address's waiter, whichever came first to the
     * bucket; returns what the first unpark's callback said about more
     * waiters (the same in both orders).
     */
    private static boolean hasMoreAfterUnpark(WordLot lot, SegmentWord first, SegmentWord second) {
        boolean hasMore = hasMoreAfterUnpark(lot, first, second, false);
        assertEquals(hasMore, hasMoreAfterUnpark(lot, first, second, true),
                "with the other address's waiter parked first");
        return hasMore;
    }

    private static boolean hasMoreAfterUnpark(WordLot lot, SegmentWord first, SegmentWord second,
                                              boolean secondParksFirst) {
        Object firstArgument = "first";
        Object secondArgument = "second";
        AtomicReference<Object> firstWoken = new AtomicReference<>();
        AtomicReference<Object> secondWoken = new AtomicReference<>();
        AtomicReference<Boolean> hasMore = new AtomicReference<>();
        AtomicReference<Boolean> hasMoreAfterBoth = new AtomicReference<>();
        List<ParkStatus> results = Collections.synchronizedList(new ArrayList<>());
        try (Threads threads = new Threads()) {
            Runnable parkOne = () -> Threads.awaitParked(threads.start("parker-1", () ->
                    results.add(lot.park(first, 0, Threads.HANG, firstArgument, false))));
            Runnable parkTwo = () -> Threads.awaitParked(threads.start("parker-2", () ->
                    results.add(lot.park(second, 0, Threads.HANG, secondArgument, false))));
            (secondParksFirst ? parkTwo : parkOne).run();
            (secondParksFirst ? parkOne : parkTwo).run();
            lot.unpark(first, (arg, more) -> {
                firstWoken.set(arg);
                hasMore.set(more);
            });
            lot.unpark(second, (arg, more) -> {
                secondWoken.set(arg);
                hasMoreAfterBoth.set(more);
            });
        }
        assertSame(firstArgument, firstWoken.get(), "the first unpark wakes the waiter on its address"
                + (secondParksFirst ? ", not the older waiter on the other address" : ""));
        assertSame(secondArgument, secondWoken.get(), "the second waiter stayed parked until its own unpark");
        assertFalse(hasMoreAfterBoth.get(), "nobody waits after both unparks");
        assertEquals(List.of(ParkStatus.OK, ParkStatus.OK), results);
        return hasMore.get();
    }

    /**
     * A waiter that leaves its park by itself (a timeout, an interrupt)
     * leaves the bucket's count too ({@code --bucket->num_waiters} in
     * {@code _PyParkingLot_Park}): the unpark of the next waiter on the
     * address says nobody else waits.
     */
    @Test
    default void aWaiterThatTimesOutOrIsInterruptedNoLongerCounts() {
        Implementation impl = implementation();
        WordLot lot = new WordLot(impl.parkingLot());
        SegmentWord word = lot.newWord(4);
        assertEquals(ParkStatus.TIMEOUT, lot.park(word, 0, Duration.ofMillis(5), null, false));
        if (impl.interruptsEndWaits()) {
            try (Threads threads = new Threads()) {
                Thread interrupted = threads.start("interrupted", () ->
                        assertEquals(ParkStatus.INTERRUPTED, lot.park(word, 0, Threads.HANG, null, false)));
                Threads.awaitParked(interrupted);
                interrupted.interrupt();
            }
        }
        AtomicReference<Object> woken = new AtomicReference<>();
        AtomicReference<Boolean> hasMore = new AtomicReference<>();
        try (Threads threads = new Threads()) {
            Thread parker = threads.start("parker", () ->
                    assertEquals(ParkStatus.OK, lot.park(word, 0, Threads.HANG, "parker", false)));
            Threads.awaitParked(parker);
            lot.unpark(word, (arg, more) -> {
                woken.set(arg);
                hasMore.set(more);
            });
        }
        assertEquals("parker", woken.get());
        assertFalse(hasMore.get(), "the waiters that left by themselves are still counted");
    }

    /**
     * Waiters that time out anywhere in their bucket's queue (at its head,
     * in its middle, two neighbours one after the other, at its tail) unlink
     * themselves and nothing else ({@code llist_remove} in
     * {@code _PyParkingLot_Park}): the others, and a waiter that parks after
     * they left, are woken in arrival order, the has-more flag counts them,
     * and then nobody is left.
     */
    @Test
    default void waitersThatTimeOutLeaveTheOthersInArrivalOrder() {
        WordLot lot = new WordLot(implementation().parkingLot());
        // each queue in arrival order: L times out, S stays until it is unparked
        for (String queue : List.of("LS", "SL", "SLS", "SLLS")) {
            SegmentWord word = lot.newWord(4);
            List<Object> stayers = new ArrayList<>();
            List<Object> woken = new ArrayList<>();
            List<Boolean> more = new ArrayList<>();
            try (Threads threads = new Threads()) {
                List<Thread> leavers = new ArrayList<>();
                for (int i = 0; i <= queue.length(); i++) {
                    boolean leaves = i < queue.length() && queue.charAt(i) == 'L';
                    String name = (leaves ? "leaving-" : "staying-") + i;
                    // the leavers time out one after the other, once the queue is complete
                    Duration timeout = leaves ? Duration.ofMillis((leavers.size() + 2) * 5 * Threads.QUEUE_MILLIS)
                            : Threads.HANG;
                    ParkStatus expected = leaves ? ParkStatus.TIMEOUT : ParkStatus.OK;
                    if (i == queue.length()) { // the last waiter parks after the leavers left
                        leavers.forEach(Threads::join);
                    }
                    Thread waiter = threads.start(name, () ->
                            assertEquals(expected, lot.park(word, 0, timeout, name, false), name));
                    Threads.awaitParked(waiter);
                    if (leaves) {
                        leavers.add(waiter);
                    } else {
                        stayers.add(name);
                    }
                }
                for (int i = 0; i <= stayers.size(); i++) {
                    lot.unpark(word, (arg, hasMore) -> {
                        woken.add(arg);
                        more.add(hasMore);
                    });
                }
            }
            List<Object> expectedWoken = new ArrayList<>(stayers);
            expectedWoken.add(null);
            List<Boolean> expectedMore = new ArrayList<>(Collections.nCopies(stayers.size() - 1, true));
            expectedMore.addAll(List.of(false, false));
            assertEquals(expectedWoken, woken, "queue " + queue + ", then a waiter after the leavers");
            assertEquals(expectedMore, more, "queue " + queue + ", then a waiter after the leavers");
        }
    }

    /**
     * An unpark-all wakes every waiter of its address and none of another
     * address in the same bucket, and the bucket still counts those: each
     * thread it wakes leaves the count once ({@code dequeue_all} in
     * {@code Python/parking_lot.c}), so the next unpark of the bucket still
     * reports the waiter after it.
     */
    @Test
    default void unparkAllWakesOnlyItsAddress() {
        WordLot lot = new WordLot(implementation().parkingLot());
        MemorySegment struct = Arena.ofAuto().allocate(257 + 8, 8);
        SegmentWord word = new SegmentWord(struct.asSlice(0, 4));
        SegmentWord shared = new SegmentWord(struct.asSlice(257, 1)); // the same bucket
        List<Object> woken = new ArrayList<>();
        List<Boolean> more = new ArrayList<>();
        try (Threads threads = new Threads()) {
            for (int i = 0; i < 2; i++) {
                String name = "bystander-" + i;
                Threads.awaitParked(threads.start(name, () ->
                        assertEquals(ParkStatus.OK, lot.park(shared, 0, Threads.HANG, name, false))));
            }
            Thread[] parkers = new Thread[2];
            for (int i = 0; i < parkers.length; i++) {
                parkers[i] = threads.start("parker-" + i, () ->
                        assertEquals(ParkStatus.OK, lot.park(word, 0, Threads.HANG, null, false)));
                Threads.awaitParked(parkers[i]);
            }
            lot.unparkAll(word);
            for (Thread parker : parkers) {
                Threads.awaitTrue(() -> !parker.isAlive(), parker.getName() + " to be woken by the unpark-all");
            }
            for (int i = 0; i < 2; i++) {
                lot.unpark(shared, (arg, hasMore) -> {
                    woken.add(arg);
                    more.add(hasMore);
                });
            }
        }
        assertEquals(List.of("bystander-0", "bystander-1"), woken,
                "the waiters on another address of the bucket are still parked");
        assertEquals(List.of(true, false), more, "after the unpark-all, the bucket counts its two other waiters");
    }
}
