package org.cpylock.tck;

import org.cpylock.api.CriticalSection;
import org.cpylock.api.Implementation;
import org.cpylock.api.OnceFlag;
import org.cpylock.api.PyEvent;
import org.cpylock.api.PyMutex;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code _PyOnceFlag}: one successful initialization. State byte: 0 not
 * initialized, 1 an action is running, 3 running with threads parked on it,
 * 4 initialized. A failed action (here: one that throws) resets the flag to
 * 0, and a later call runs its own action.
 */
public interface OnceFlagContract extends ImplementationProvider {
    /** State byte: an action is running ({@code _Py_LOCKED}). */
    int RUNNING = 1;
    /** State byte: an action is running, with threads parked on it ({@code _Py_LOCKED | _Py_HAS_PARKED}). */
    int RUNNING_HAS_PARKED = 3;
    /** State byte: initialized ({@code _Py_ONCE_INITIALIZED}). */
    int INITIALIZED = 4;

    /**
     * test_lock_once: an action that fails its first four calls; of ten calls
     * the first four fail (the flag back at 0 after each, and not done), the
     * fifth succeeds, and the last five do not run the action. A new flag is
     * 0 and not done.
     */
    @Test
    default void cpythonOnceSequence() {
        OnceFlag flag = implementation().newOnceFlag();
        assertEquals(0, flag.bits(), "a new flag");
        assertFalse(flag.isDone(), "a new flag");
        int[] calls = {0};
        for (int i = 0; i < 10; i++) {
            try {
                flag.callOnce(() -> {
                    calls[0]++;
                    if (calls[0] < 5) {
                        throw new IOException("failure " + calls[0]);
                    }
                });
                assertTrue(i >= 4, "call " + i + " should have failed");
                assertEquals(INITIALIZED, flag.bits());
            } catch (IOException e) {
                assertTrue(i < 4, "call " + i + " failed: " + e);
                assertEquals(0, flag.bits(), "failure resets the flag");
                assertFalse(flag.isDone(), "done after a failure");
            }
        }
        assertEquals(5, calls[0]);
        assertTrue(flag.isDone());
    }

    /** 50 threads call at once: the action runs exactly once and every call returns. */
    @Test
    default void racingCallsRunTheActionOnce() {
        Implementation impl = implementation();
        OnceFlag flag = impl.newOnceFlag();
        PyEvent start = impl.newEvent();
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger returned = new AtomicInteger();
        try (Threads threads = new Threads()) {
            for (int t = 0; t < 50; t++) {
                threads.start("caller-" + t, () -> {
                    start.await();
                    flag.callOnce(() -> {
                        runs.incrementAndGet();
                        Threads.sleepMillis(5);
                    });
                    returned.incrementAndGet();
                });
            }
            start.set();
        }
        assertEquals(1, runs.get());
        assertEquals(50, returned.get());
        assertEquals(INITIALIZED, flag.bits());
    }

    /**
     * While an action runs, the byte is 1; with a second caller parked on it,
     * 3. The flag is done ({@code isDone}: the byte is
     * {@code _Py_ONCE_INITIALIZED}) only once the action has returned, not
     * while it runs, with or without callers parked on it.
     */
    @Test
    default void runningAndParkedStates() {
        Implementation impl = implementation();
        OnceFlag flag = impl.newOnceFlag();
        PyEvent running = impl.newEvent();
        PyEvent finish = impl.newEvent();
        AtomicInteger seenInside = new AtomicInteger(-1);
        AtomicReference<Boolean> doneInside = new AtomicReference<>();
        boolean doneWithACallerParked;
        try (Threads threads = new Threads()) {
            threads.start("initializer", () -> flag.callOnce(() -> {
                seenInside.set(flag.bits());
                doneInside.set(flag.isDone());
                running.set();
                finish.await();
            }));
            assertTrue(running.await(Threads.HANG));
            assertEquals(RUNNING, seenInside.get());
            assertEquals(RUNNING, flag.bits());
            threads.start("waiter", () -> flag.callOnce(() -> fail("the first action succeeds")));
            Threads.awaitBits(flag::bits, RUNNING_HAS_PARKED, "the second caller to park");
            doneWithACallerParked = flag.isDone();
            finish.set();
        }
        assertEquals(Boolean.FALSE, doneInside.get(), "done while the action runs");
        assertFalse(doneWithACallerParked, "done while the action runs with a caller parked on it");
        assertEquals(INITIALIZED, flag.bits());
        assertTrue(flag.isDone());
    }

    /**
     * A failure wakes every parked caller, and one of them runs its own
     * action ({@code _PyParkingLot_UnparkAll} in {@code unlock_once},
     * {@code Python/lock.c}): A's action fails while B and C wait; one of
     * their actions then runs and succeeds, and the other caller returns. The
     * other caller, woken by the failure, finds that action running and
     * parks on it again, setting {@code _Py_HAS_PARKED} again (the action
     * waits for the byte to read 3), so that the success wakes it. C is a
     * virtual thread, whose park shows in its thread state whatever the
     * implementation waits in.
     */
    @Test
    default void failureWakesEveryWaiterAndOneRunsItsAction() {
        Implementation impl = implementation();
        OnceFlag flag = impl.newOnceFlag();
        PyEvent running = impl.newEvent();
        PyEvent fail = impl.newEvent();
        IllegalStateException failure = new IllegalStateException("A fails");
        AtomicReference<Throwable> seenByA = new AtomicReference<>();
        AtomicInteger waiterRuns = new AtomicInteger();
        try (Threads threads = new Threads()) {
            threads.start("A", () -> {
                try {
                    flag.callOnce(() -> {
                        running.set();
                        fail.await();
                        throw failure;
                    });
                } catch (IllegalStateException e) {
                    seenByA.set(e);
                }
            });
            assertTrue(running.await(Threads.HANG));
            // The waiter that runs its action waits in it for the other to park on it again.
            OnceFlag.Action<RuntimeException> waiterAction = () -> {
                waiterRuns.incrementAndGet();
                Threads.awaitBits(flag::bits, RUNNING_HAS_PARKED, "the other waiter to park again, announced");
            };
            threads.start("B", () -> flag.callOnce(waiterAction));
            Threads.awaitBits(flag::bits, RUNNING_HAS_PARKED, "B to park on the running action");
            Threads.awaitParked(threads.start(Thread.ofVirtual().name("C"), () -> flag.callOnce(waiterAction)));
            fail.set();
        }
        assertSame(failure, seenByA.get());
        assertEquals(1, waiterRuns.get(), "one of the two waiters ran its action");
        assertEquals(INITIALIZED, flag.bits());
    }

    /**
     * A waiter woken by a failed action that finds another action running
     * sets {@code _Py_HAS_PARKED} again before it parks, so that the
     * action's success wakes it ({@code _PyOnceFlag_CallOnceSlow}'s loop,
     * {@code Python/lock.c}). The order is forced: the waiter waits inside a
     * critical section, detached, and this thread takes the section's mutex
     * meanwhile, so that, woken, the waiter waits for it while the failed
     * caller calls again and runs its second action (free-threaded).
     */
    @Test
    default void aWaiterWokenByAFailureThatFindsAnotherActionParksAgainAnnounced() {
        Implementation impl = implementation();
        assumeTrue(impl.freeThreaded(), "sections lock nothing in the default build");
        OnceFlag flag = impl.newOnceFlag();
        PyMutex guarded = impl.newMutex();
        PyEvent running = impl.newEvent();
        PyEvent fail = impl.newEvent();
        PyEvent secondRunning = impl.newEvent();
        PyEvent finish = impl.newEvent();
        AtomicInteger waiterRuns = new AtomicInteger();
        try (Threads threads = new Threads()) {
            threads.start("A", () -> {
                assertThrows(IllegalStateException.class, () -> flag.callOnce(() -> {
                    running.set();
                    fail.await();
                    throw new IllegalStateException("A's first action fails");
                }));
                flag.callOnce(() -> {
                    secondRunning.set();
                    assertTrue(finish.await(Threads.HANG, false));
                });
            });
            assertTrue(running.await(Threads.HANG));
            threads.start("B", () -> {
                try (CriticalSection ignored = impl.beginCriticalSection(guarded)) {
                    flag.callOnce(waiterRuns::incrementAndGet);
                }
            });
            Threads.awaitBits(flag::bits, RUNNING_HAS_PARKED, "B to park on A's action");
            Threads.awaitBits(guarded::bits, MutexContract.UNLOCKED, "B's section to be suspended while it waits");
            guarded.lock();
            try {
                fail.set();
                assertTrue(secondRunning.await(Threads.HANG));
                Threads.awaitBits(guarded::bits, MutexContract.LOCKED_HAS_PARKED,
                        "B, woken, to wait for its section's mutex");
                guarded.unlock();
                Threads.awaitBits(flag::bits, RUNNING_HAS_PARKED, "B to park again on A's second action, announced");
            } finally {
                finish.set();
            }
        }
        assertEquals(0, waiterRuns.get(), "A's second action succeeded: B's never ran");
        assertEquals(INITIALIZED, flag.bits());
    }

    /**
     * A caller interrupted while it waits for another thread's action goes
     * on waiting (C's loop parks again), and when that action fails and its
     * own action runs, that action sees the interrupt: the caller's
     * interrupt status is set throughout, not set aside for the action.
     */
    @Test
    default void anInterruptedWaiterRunsItsActionInterrupted() {
        Implementation impl = implementation();
        OnceFlag flag = impl.newOnceFlag();
        PyEvent running = impl.newEvent();
        PyEvent fail = impl.newEvent();
        AtomicReference<Boolean> interruptedInAction = new AtomicReference<>();
        AtomicReference<Boolean> interruptedAfter = new AtomicReference<>();
        try (Threads threads = new Threads()) {
            threads.start("A", () -> assertThrows(IllegalStateException.class, () -> flag.callOnce(() -> {
                running.set();
                fail.await();
                throw new IllegalStateException("A fails");
            })));
            assertTrue(running.await(Threads.HANG));
            Thread b = threads.start("B", () -> {
                flag.callOnce(() -> interruptedInAction.set(Thread.currentThread().isInterrupted()));
                interruptedAfter.set(Thread.interrupted());
            });
            Threads.awaitBits(flag::bits, RUNNING_HAS_PARKED, "B to park on the running action");
            b.interrupt();
            Threads.sleepMillis(Threads.QUEUE_MILLIS); // time for the interrupt to reach B's park
            assertNull(interruptedInAction.get(), "an interrupt ended B's wait for A's action");
            fail.set();
        }
        assertEquals(Boolean.TRUE, interruptedInAction.get(), "B's action ran with its interrupt set aside");
        assertEquals(Boolean.TRUE, interruptedAfter.get());
        assertEquals(INITIALIZED, flag.bits());
    }

    /**
     * A checked exception, a runtime exception and an error thrown by the
     * action each reach the caller as the same instance and reset the flag;
     * the caller's interrupt status is as the action left it, whether it
     * threw an {@link InterruptedException} or set the status and threw
     * something else.
     */
    @Test
    default void everyKindOfThrowableReachesTheCaller() {
        OnceFlag flag = implementation().newOnceFlag();
        IOException checked = new IOException("checked");
        IllegalArgumentException unchecked = new IllegalArgumentException("unchecked");
        AssertionError error = new AssertionError("error");

        IOException thrownChecked = assertThrows(IOException.class, () -> flag.callOnce(() -> {
            throw checked;
        }));
        assertSame(checked, thrownChecked);
        assertEquals(0, flag.bits());

        assertSame(unchecked, assertThrows(IllegalArgumentException.class, () -> flag.callOnce(() -> {
            throw unchecked;
        })));
        assertEquals(0, flag.bits());

        assertSame(error, assertThrows(AssertionError.class, () -> flag.callOnce(() -> {
            throw error;
        })));
        assertEquals(0, flag.bits());

        InterruptedException interrupted = new InterruptedException("interrupted");
        assertSame(interrupted, assertThrows(InterruptedException.class, () -> flag.callOnce(() -> {
            throw interrupted;
        })));
        assertFalse(Thread.interrupted(), "the interrupt status is as the action left it: clear");
        assertThrows(IOException.class, () -> flag.callOnce(() -> {
            Thread.currentThread().interrupt();
            throw checked;
        }));
        assertTrue(Thread.interrupted(), "the interrupt status is as the action left it: set");
        assertEquals(0, flag.bits());

        int[] runs = {0};
        flag.callOnce(() -> runs[0]++);
        assertEquals(1, runs[0]);
        assertTrue(flag.isDone());
    }

    /** Calling a flag from inside its own action is refused (it would wait for itself); another flag works. */
    @Test
    default void reentrantCallIsRefused() {
        Implementation impl = implementation();
        OnceFlag flag = impl.newOnceFlag();
        OnceFlag other = impl.newOnceFlag();
        AtomicReference<Throwable> inner = new AtomicReference<>();
        int[] otherRuns = {0};
        flag.callOnce(() -> {
            inner.set(assertThrows(IllegalStateException.class, () -> flag.callOnce(() -> { })));
            other.callOnce(() -> otherRuns[0]++);
        });
        assertTrue(inner.get() instanceof IllegalStateException);
        assertEquals(1, otherRuns[0]);
        assertTrue(flag.isDone());
        assertTrue(other.isDone());
    }

    /** Once initialized, callOnce returns without running the action. */
    @Test
    default void initializedFlagSkipsTheAction() {
        OnceFlag flag = implementation().newOnceFlag();
        flag.callOnce(() -> { });
        assertEquals(INITIALIZED, flag.bits());
        flag.callOnce(() -> fail("must not run"));
        assertTrue(flag.isDone());
    }
}
