package org.cpylock.tck;

import org.cpylock.api.CriticalSection;
import org.cpylock.api.Implementation;
import org.cpylock.api.LockFlag;
import org.cpylock.api.LockStatus;
import org.cpylock.api.ParkStatus;
import org.cpylock.api.PyEvent;
import org.cpylock.api.PyMutex;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Critical sections: the scenarios of CPython's
 * {@code Modules/_testinternalcapi/test_critical_sections.c} (basic, nest,
 * suspend, threads), suspension when the thread detaches, and ordering.
 *
 * <p>State: each thread's stack of sections, reached from
 * {@code PyThreadState.critical_section}; the observable state is the
 * {@code PyMutex} bytes. In the free-threaded build a section holds its
 * mutexes (byte 1) while active and releases them while suspended; in the
 * default build sections lock nothing and push nothing (bytes stay 0, top is
 * null), which each test asserts too.
 */
public interface CriticalSectionContract extends ImplementationProvider {
    private int lockedWhileActive() {
        return implementation().freeThreaded() ? 1 : 0;
    }

    /**
     * test_critical_sections: one mutex, two mutexes, and the same mutex
     * passed twice; each is locked while its section is active (free-threaded)
     * and unlocked after. A section is ended once its end has run, in either
     * flavour.
     */
    @Test
    default void basic() {
        Implementation impl = implementation();
        PyMutex d1 = impl.newMutex();
        PyMutex d2 = impl.newMutex();
        int locked = lockedWhileActive();

        CriticalSection one = impl.beginCriticalSection(d1);
        assertFalse(one.isEnded());
        assertEquals(locked, d1.bits());
        if (impl.freeThreaded()) {
            assertEquals(one, impl.topCriticalSection(), "the section is pushed on the thread's stack");
        } else {
            assertNull(impl.topCriticalSection(), "the default build pushes nothing");
        }
        one.end();
        assertTrue(one.isEnded());
        assertEquals(0, d1.bits());
        assertNull(impl.topCriticalSection());

        CriticalSection two = impl.beginCriticalSection(d1, d2);
        assertEquals(locked, d1.bits());
        assertEquals(locked, d2.bits());
        two.end();
        assertEquals(0, d1.bits());
        assertEquals(0, d2.bits());

        CriticalSection same = impl.beginCriticalSection(d2, d2);
        assertEquals(locked, d2.bits(), "the same mutex twice is locked once, without deadlock");
        same.end();
        assertEquals(0, d2.bits());
    }

    /**
     * Two objects over one byte are one mutex to a two-mutex section, as
     * {@code _PyCriticalSection2_BeginMutex} compares the mutexes' addresses
     * ({@code Include/internal/pycore_critical_section.h}): the byte is locked
     * once, without the thread waiting for itself, and unlocked at the end.
     */
    @Test
    default void twoObjectsOverOneByteAreOneMutexToATwoMutexSection() {
        Implementation impl = implementation();
        MemorySegment memory = Arena.ofAuto().allocate(4, 4);
        PyMutex first = impl.mutexAt(memory, 0);
        PyMutex second = impl.mutexAt(memory, 0);
        int locked = lockedWhileActive();
        try (Threads threads = new Threads()) {
            threads.start("section-over-one-byte", () -> {
                CriticalSection section = impl.beginCriticalSection(first, second);
                assertEquals(locked, second.bits(), "the byte is locked once while the section is active");
                section.end();
            });
        }
        assertEquals(0, first.bits());
    }

    /**
     * test_critical_sections_nest: sections nested 11 deep on one mutex, then
     * two-mutex sections nested 11 deep on the same pair, do not deadlock; the
     * outer section holds its mutexes again once the inner ones end.
     */
    @Test
    default void nest() {
        Implementation impl = implementation();
        PyMutex a = impl.newMutex();
        PyMutex b = impl.newMutex();
        int locked = lockedWhileActive();

        assertEquals(0, a.bits());
        try (CriticalSection outer = impl.beginCriticalSection(a)) {
            assertEquals(locked, a.bits());
            beginNested(impl, a, 10);
            assertEquals(locked, a.bits());
            if (impl.freeThreaded()) {
                assertEquals(outer, impl.topCriticalSection());
            }
        }
        assertEquals(0, a.bits());

        try (CriticalSection outer = impl.beginCriticalSection(b, a)) {
            beginNested(impl, a, b, 10);
            assertEquals(locked, a.bits());
            assertEquals(locked, b.bits());
        }
        assertEquals(0, a.bits());
        assertEquals(0, b.bits());
        assertNull(impl.topCriticalSection());
    }

    private static void beginNested(Implementation impl, PyMutex mutex, int depth) {
        try (CriticalSection ignored = impl.beginCriticalSection(mutex)) {
            if (depth > 0) {
                beginNested(impl, mutex, depth - 1);
            }
        }
    }

    private static void beginNested(Implementation impl, PyMutex first, PyMutex second, int depth) {
        try (CriticalSection ignored = impl.beginCriticalSection(first, second)) {
            if (depth > 0) {
                beginNested(impl, first, second, depth - 1);
            }
        }
    }

    /**
     * test_critical_sections_suspend: detaching (allow threads) suspends the
     * active section, unlocking its mutex; attaching again resumes it.
     */
    @Test
    default void suspend() {
        Implementation impl = implementation();
        PyMutex a = impl.newMutex();
        int locked = lockedWhileActive();
        try (CriticalSection ignored = impl.beginCriticalSection(a)) {
            assertEquals(locked, a.bits());
            int[] inside = {-1};
            impl.allowThreads(() -> inside[0] = a.bits());
            assertEquals(0, inside[0], "suspended while detached");
            assertEquals(locked, a.bits(), "resumed after");
        }
        assertEquals(0, a.bits());
    }

    /**
     * A two-mutex begin that took the lower mutex and waits for the higher
     * keeps the lower one locked while it waits: the section is pushed with
     * neither mutex recorded until it holds both
     * ({@code _PyCriticalSection2_BeginSlow},
     * {@code Python/critical_section.c}), so the wait's detach has nothing of
     * it to suspend (free-threaded).
     */
    @Test
    default void aTwoMutexBeginKeepsTheLowerMutexWhileItWaitsForTheHigher() {
        Implementation impl = implementation();
        assumeTrue(impl.freeThreaded(), "only the free-threaded flavour locks in critical sections");
        PyMutex a = impl.newMutex();
        PyMutex b = impl.newMutex();
        boolean aIsLower = Long.compareUnsigned(a.segment().address(), b.segment().address()) < 0;
        PyMutex lower = aIsLower ? a : b;
        PyMutex higher = aIsLower ? b : a;
        higher.lock();
        try (Threads threads = new Threads()) {
            threads.start("two-mutex-begin", () -> impl.beginCriticalSection(b, a).end());
            Threads.awaitBits(higher::bits, 3, "the begin to wait for the higher mutex");
            Threads.sleepMillis(Threads.QUEUE_MILLIS); // time for a wrong implementation to suspend it
            assertEquals(1, lower.bits(), "the lower mutex stays locked while the begin waits for the higher");
            higher.unlock();
        }
        assertEquals(0, a.bits());
        assertEquals(0, b.bits());
    }

    /**
     * A two-mutex section's end releases the higher mutex first and the lower
     * one after it ({@code _PyCriticalSection2_End},
     * {@code Include/internal/pycore_critical_section.h}): while the release
     * of the higher one waits for its bucket ({@link BucketHold}), the lower
     * one stays locked (free-threaded).
     */
    @Test
    default void aTwoMutexEndReleasesTheHigherMutexFirst() {
        Implementation impl = implementation();
        assumeTrue(impl.freeThreaded(), "only the free-threaded flavour locks in critical sections");
        MemorySegment struct = Arena.ofAuto().allocate(16, 8);
        PyMutex lower = impl.mutexAt(struct, 0);
        PyMutex higher = impl.mutexAt(struct, 8);
        AtomicBoolean begun = new AtomicBoolean();
        AtomicBoolean end = new AtomicBoolean();
        AtomicBoolean ending = new AtomicBoolean();
        boolean lowerFreedFirst;
        try (Threads threads = new Threads()) {
            threads.start("two-mutex-section", () -> {
                CriticalSection section = impl.beginCriticalSection(higher, lower);
                begun.set(true);
                Threads.awaitTrue(end::get, "the test to let the section end");
                ending.set(true);
                section.end();
            });
            Threads.awaitTrue(begun::get, "the section to begin");
            Contender contender = Contender.parkOn(threads, higher);
            BucketHold bucket = BucketHold.of(threads, impl.parkingLot(), higher.segment());
            end.set(true);
            Threads.awaitTrue(ending::get, "the section's end to start");
            lowerFreedFirst = Threads.holdsWithinAFewQueueTimes(() -> lower.bits() != 1);
            bucket.release();
            Threads.awaitTrue(() -> contender.hadItBefore(System.nanoTime()), "the contender to have the higher mutex");
        }
        assertFalse(lowerFreedFirst, "the lower mutex was released while the higher one was still held");
        assertEquals(0, lower.bits());
        assertEquals(0, higher.bits());
    }

    /**
     * An action that throws inside {@code allowThreads} still attaches the
     * thread again on its way out, resuming its section: the exception
     * reaches the caller, and the section holds its mutex and ends as usual.
     */
    @Test
    default void allowThreadsAttachesAgainWhenTheActionThrows() {
        Implementation impl = implementation();
        PyMutex a = impl.newMutex();
        int locked = lockedWhileActive();
        IllegalStateException thrown = new IllegalStateException("from the action");
        try (CriticalSection ignored = impl.beginCriticalSection(a)) {
            assertSame(thrown, assertThrows(IllegalStateException.class, () -> impl.allowThreads(() -> {
                throw thrown;
            })));
            assertEquals(locked, a.bits(), "resumed after the action threw");
        }
        assertEquals(0, a.bits());
        assertNull(impl.topCriticalSection());
    }

    /**
     * A thread whose sections cannot be suspended, because the mutex of one
     * of them (the outer one here) was unlocked outside the section, is
     * refused {@code allowThreads} (CPython would abort) before anything
     * changes: the action does not run, the inner section's mutex stays
     * locked and the outer one's unlocked (free-threaded).
     */
    @Test
    default void allowThreadsRefusesSectionsOneOfWhoseMutexesWasUnlockedOutside() {
        Implementation impl = implementation();
        assumeTrue(impl.freeThreaded(), "sections lock nothing in the default build");
        PyMutex outerMutex = impl.newMutex();
        PyMutex innerMutex = impl.newMutex();
        AtomicBoolean ran = new AtomicBoolean();
        try (CriticalSection outer = impl.beginCriticalSection(outerMutex);
             CriticalSection inner = impl.beginCriticalSection(innerMutex)) {
            outerMutex.unlock();
            assertThrows(IllegalStateException.class, () -> impl.allowThreads(() -> ran.set(true)));
            assertFalse(ran.get(), "the action ran");
            assertEquals(1, innerMutex.bits(), "the inner section's mutex");
            assertEquals(0, outerMutex.bits(), "the outer section's mutex");
            assertSame(inner, impl.topCriticalSection());
            outerMutex.lock();
        }
        assertEquals(0, outerMutex.bits());
        assertEquals(0, innerMutex.bits());
        assertNull(impl.topCriticalSection());
    }

    /**
     * Inside {@code allowThreads} the thread is detached and has no thread
     * state to keep sections in: a begin, of one or two mutexes, and the end
     * of a section begun outside are refused with
     * {@link IllegalStateException}, in both flavours, and change nothing:
     * the mutexes keep their bytes, the section is still the innermost and
     * not ended, and it ends once {@code allowThreads} has returned.
     */
    @Test
    default void noSectionBeginsOrEndsInsideAllowThreads() {
        Implementation impl = implementation();
        PyMutex outerMutex = impl.newMutex();
        PyMutex a = impl.newMutex();
        PyMutex b = impl.newMutex();
        CriticalSection outer = impl.beginCriticalSection(outerMutex);
        impl.allowThreads(() -> {
            assertThrows(IllegalStateException.class, () -> impl.beginCriticalSection(a), "a begin");
            assertThrows(IllegalStateException.class, () -> impl.beginCriticalSection(a, b), "a two-mutex begin");
            assertThrows(IllegalStateException.class, outer::end, "the end of the section begun outside");
            assertFalse(outer.isEnded(), "the refused end marked the section ended");
            assertEquals(0, a.bits());
            assertEquals(0, b.bits());
            assertEquals(0, outerMutex.bits(), "the outer section is suspended meanwhile");
            assertSame(impl.freeThreaded() ? outer : null, impl.topCriticalSection(),
                    "suspended, the section is still the innermost (PyThreadState.critical_section, tagged inactive)");
        });
        assertEquals(lockedWhileActive(), outerMutex.bits());
        assertSame(impl.freeThreaded() ? outer : null, impl.topCriticalSection());
        outer.end();
        assertTrue(outer.isEnded());
        assertNull(impl.topCriticalSection());
    }

    /**
     * A section takes only mutexes its own implementation made: a mutex of
     * another implementation, or of another instance of this one (with
     * thread states of its own; see
     * {@link ImplementationProvider#anotherImplementation()}), is refused by
     * either begin with {@link IllegalArgumentException}, in either position
     * of a two-mutex begin, and nothing changes: the thread's innermost
     * section and the mutexes' bytes stay as they were.
     */
    @Test
    default void aMutexOfAnotherImplementationIsRefused() {
        Implementation impl = implementation();
        PyMutex own = impl.newMutex();
        List<PyMutex> foreign = new ArrayList<>();
        foreign.add(ForeignMutex.make());
        anotherImplementation().ifPresent(other -> foreign.add(other.newMutex()));
        try (CriticalSection outer = impl.beginCriticalSection(own)) {
            PyMutex second = impl.newMutex();
            for (PyMutex mutex : foreign) {
                assertThrows(IllegalArgumentException.class, () -> impl.beginCriticalSection(mutex), mutex.toString());
                assertThrows(IllegalArgumentException.class, () -> impl.beginCriticalSection(second, mutex),
                        mutex.toString());
                assertThrows(IllegalArgumentException.class, () -> impl.beginCriticalSection(mutex, second),
                        mutex.toString());
                assertSame(impl.freeThreaded() ? outer : null, impl.topCriticalSection(), mutex.toString());
                assertEquals(lockedWhileActive(), own.bits(), mutex.toString());
                assertEquals(0, second.bits(), mutex.toString());
            }
        }
        foreign.stream().skip(1).forEach(made -> assertEquals(0, made.bits(), "the other instance's mutex"));
        assertNull(impl.topCriticalSection());
    }

    /**
     * test_critical_sections_threads: 4 threads, 200 iterations each, of
     * single, nested and two-mutex sections on three shared mutexes, with a
     * detach inside a section; nothing deadlocks and every mutex ends unlocked.
     */
    @Test
    default void threads() {
        Implementation impl = implementation();
        PyMutex obj1 = impl.newMutex();
        PyMutex obj2 = impl.newMutex();
        PyMutex obj3 = impl.newMutex();
        try (Threads threads = new Threads()) {
            for (int t = 0; t < 4; t++) {
                threads.start("critical-sections-" + t, () -> {
                    for (int i = 0; i < 200; i++) {
                        impl.beginCriticalSection(obj1).end();
                        try (CriticalSection ignored = impl.beginCriticalSection(obj2)) {
                            beginNested(impl, obj1, 1);
                        }
                        try (CriticalSection ignored = impl.beginCriticalSection(obj3, obj1)) {
                            beginNested(impl, obj2, 2);
                        }
                        try (CriticalSection ignored = impl.beginCriticalSection(obj3)) {
                            impl.allowThreads(() -> { });
                        }
                    }
                    assertNull(impl.topCriticalSection());
                });
            }
        }
        assertEquals(0, obj1.bits());
        assertEquals(0, obj2.bits());
        assertEquals(0, obj3.bits());
    }

    /**
     * Two-mutex sections lock in address order whatever the argument order.
     * With {@code a} held by the test, one thread begins a section on
     * {@code (a, b)} and parks; a second begins one on {@code (b, a)}. Locked
     * in argument order, the second would hold {@code b} while the first,
     * handed {@code a} on release, waits for it: a deadlock (a hang). In
     * address order both threads finish (free-threaded build, where sections
     * lock).
     */
    @Test
    default void twoMutexSectionsInOppositeOrdersDoNotDeadlock() {
        Implementation impl = implementation();
        assumeTrue(impl.freeThreaded(), "sections lock nothing in the default build");
        PyMutex a = impl.newMutex();
        PyMutex b = impl.newMutex();
        a.lock();
        try (Threads threads = new Threads()) {
            threads.start("a-then-b", () -> impl.beginCriticalSection(a, b).end());
            Threads.awaitBits(a::bits, MutexContract.LOCKED_HAS_PARKED, "the first section to wait");
            threads.start("b-then-a", () -> impl.beginCriticalSection(b, a).end());
            Threads.sleepMillis(50); // the second section waits too, on whichever mutex it locks first
            a.unlock();
        }
        assertEquals(0, a.bits());
        assertEquals(0, b.bits());
    }

    /** The innermost section is the top until it ends; then the one before it is. */
    @Test
    default void topFollowsNesting() {
        Implementation impl = implementation();
        CriticalSection outer = impl.beginCriticalSection(impl.newMutex());
        CriticalSection inner = impl.beginCriticalSection(impl.newMutex(), impl.newMutex());
        if (impl.freeThreaded()) {
            assertEquals(inner, impl.topCriticalSection());
            inner.end();
            assertEquals(outer, impl.topCriticalSection());
        } else {
            assertNull(impl.topCriticalSection());
            inner.end();
            assertNull(impl.topCriticalSection());
        }
        outer.end();
        assertNull(impl.topCriticalSection());
    }

    /**
     * A thread waiting with DETACH inside a critical section releases the
     * section's mutex while it waits, and holds it again when the wait ends.
     */
    @Test
    default void detachedWaitSuspendsAndResumes() {
        Implementation impl = implementation();
        PyMutex guarded = impl.newMutex();
        PyMutex blocker = impl.newMutex();
        int locked = lockedWhileActive();
        AtomicInteger afterWait = new AtomicInteger(-1);
        blocker.lock();
        try (Threads threads = new Threads()) {
            threads.start("detached-waiter", () -> {
                try (CriticalSection ignored = impl.beginCriticalSection(guarded)) {
                    assertEquals(LockStatus.ACQUIRED, blocker.lockTimed(Duration.ofNanos(-1), LockFlag.DETACH));
                    afterWait.set(guarded.bits());
                    blocker.unlock();
                }
            });
            Threads.awaitBits(blocker::bits, 3, "the waiter to park on the blocker");
            Threads.awaitBits(guarded::bits, 0, "the section's mutex to be released while its thread waits detached");
            assertTrue(guarded.tryLock(), "another thread can take it meanwhile");
            guarded.unlock();
            blocker.unlock();
        }
        assertEquals(locked, afterWait.get(), "the section holds its mutex again after the wait");
        assertEquals(0, guarded.bits());
    }

    /**
     * A detaching wait detaches whatever its timeout: {@code _PySemaphore_Wait}
     * ({@code Python/lock.c}) detaches before it looks at the timeout, so an
     * event wait of zero suspends the thread's sections for that moment. A
     * thread parked over 1 ms on the section's mutex is handed it, and the
     * wait returns only once that thread released it (free-threaded).
     */
    @Test
    default void aZeroTimeoutWaitStillSuspendsTheSections() {
        Implementation impl = implementation();
        assumeTrue(impl.freeThreaded(), "sections lock nothing in the default build");
        PyMutex guarded = impl.newMutex();
        PyEvent contenderParked = impl.newEvent();
        PyEvent never = impl.newEvent();
        AtomicBoolean set = new AtomicBoolean(true);
        long[] waitReturned = new long[1];
        Contender contender;
        try (Threads threads = new Threads()) {
            threads.start("owner", () -> {
                try (CriticalSection ignored = impl.beginCriticalSection(guarded)) {
                    assertTrue(contenderParked.await(Threads.HANG, false));
                    set.set(never.await(Duration.ZERO));
                    waitReturned[0] = System.nanoTime();
                }
            });
            Threads.awaitBits(guarded::bits, MutexContract.LOCKED, "the section to lock its mutex");
            contender = Contender.parkOn(threads, guarded);
            contenderParked.set();
        }
        assertFalse(set.get());
        assertTrue(contender.hadItBefore(waitReturned[0]), "the zero-timeout wait kept the section's mutex:"
                + " the contender parked on it had it only after the wait returned");
    }

    /**
     * Lock flags combine, in either order: a timed lock with
     * {@link LockFlag#DETACH} and {@link LockFlag#HANDLE_SIGNALS} suspends
     * the caller's sections while it waits (free-threaded) and ends at an
     * interrupt ({@code _PY_LOCK_DETACH | _PY_LOCK_HANDLE_SIGNALS}).
     */
    @Test
    default void aTimedLockWithBothFlagsDetachesAndEndsAtAnInterrupt() {
        Implementation impl = implementation();
        assumeTrue(impl.interruptsEndWaits(), "interrupts do not reach waits in " + impl.name());
        for (LockFlag[] flags : new LockFlag[][] {
                {LockFlag.DETACH, LockFlag.HANDLE_SIGNALS}, {LockFlag.HANDLE_SIGNALS, LockFlag.DETACH}}) {
            String order = flags[0] + ", " + flags[1];
            PyMutex guarded = impl.newMutex();
            PyMutex held = impl.newMutex();
            AtomicReference<LockStatus> status = new AtomicReference<>();
            held.lock();
            try (Threads threads = new Threads()) {
                Thread waiter = threads.start("waiter", () -> {
                    try (CriticalSection ignored = impl.beginCriticalSection(guarded)) {
                        status.set(held.lockTimed(Threads.HANG, flags));
                    }
                    Thread.interrupted();
                });
                Threads.awaitBits(held::bits, MutexContract.LOCKED_HAS_PARKED, "the waiter to park");
                if (impl.freeThreaded()) {
                    Threads.awaitBits(guarded::bits, MutexContract.UNLOCKED,
                            "the section's mutex to be released while its thread waits with " + order);
                }
                waiter.interrupt();
                Threads.join(waiter);
            }
            held.unlock();
            assertEquals(LockStatus.INTERRUPTED, status.get(), "an interrupt ends a wait with " + order);
        }
    }

    /** Waiting without DETACH keeps the section's mutex locked (free-threaded) for the whole wait. */
    @Test
    default void attachedWaitKeepsTheSection() {
        Implementation impl = implementation();
        PyMutex guarded = impl.newMutex();
        PyMutex blocker = impl.newMutex();
        int locked = lockedWhileActive();
        blocker.lock();
        try (Threads threads = new Threads()) {
            threads.start("attached-waiter", () -> {
                try (CriticalSection ignored = impl.beginCriticalSection(guarded)) {
                    assertEquals(LockStatus.ACQUIRED, blocker.lockTimed(Duration.ofNanos(-1)));
                    blocker.unlock();
                }
            });
            Threads.awaitBits(blocker::bits, 3, "the waiter to park on the blocker");
            Threads.sleepMillis(20); // time for a wrong implementation to release it
            assertEquals(locked, guarded.bits(), "not detached: the section keeps its mutex");
            boolean taken = guarded.tryLock();
            if (taken) {
                guarded.unlock();
            }
            assertEquals(!impl.freeThreaded(), taken, "another thread can take the mutex only in the default build");
            blocker.unlock();
        }
        assertEquals(0, guarded.bits());
    }

    /** A detached event wait suspends the section; a wait with detach false does not. */
    @Test
    default void eventWaitDetachChoosesSuspension() {
        Implementation impl = implementation();
        int locked = lockedWhileActive();
        for (boolean detach : new boolean[]{true, false}) {
            PyMutex guarded = impl.newMutex();
            PyEvent event = impl.newEvent();
            AtomicInteger afterWait = new AtomicInteger(-1);
            try (Threads threads = new Threads()) {
                threads.start("event-waiter", () -> {
                    try (CriticalSection ignored = impl.beginCriticalSection(guarded)) {
                        assertTrue(event.await(Threads.HANG, detach));
                        afterWait.set(guarded.bits());
                    }
                });
                Threads.awaitBits(event::bits, 2, "the waiter to park on the event");
                if (detach) {
                    Threads.awaitBits(guarded::bits, 0, "the section to be suspended by the detached wait");
                } else {
                    Threads.sleepMillis(20); // time for a wrong implementation to release it
                    assertEquals(locked, guarded.bits(), "a wait without detach keeps the section");
                }
                event.set();
            }
            assertEquals(locked, afterWait.get());
            assertEquals(0, guarded.bits());
        }
    }

    /**
     * A contended begin detaches too: while the thread waits for the inner
     * section's mutex, the outer section is suspended; it stays suspended
     * while the inner section is active and is resumed when that ends.
     */
    @Test
    default void contendedBeginSuspendsOuterSections() {
        Implementation impl = implementation();
        PyMutex outerMutex = impl.newMutex();
        PyMutex innerMutex = impl.newMutex();
        int locked = lockedWhileActive();
        PyEvent innerActive = impl.newEvent();
        PyEvent finish = impl.newEvent();
        AtomicInteger outerAfterEnd = new AtomicInteger(-1);
        innerMutex.lock();
        try (Threads threads = new Threads()) {
            threads.start("nesting-thread", () -> {
                try (CriticalSection ignored = impl.beginCriticalSection(outerMutex)) {
                    try (CriticalSection inner = impl.beginCriticalSection(innerMutex)) {
                        innerActive.set();
                        assertTrue(finish.await(Threads.HANG, false));
                    }
                    outerAfterEnd.set(outerMutex.bits());
                }
            });
            if (impl.freeThreaded()) {
                Threads.awaitBits(innerMutex::bits, 3, "the thread to park on the inner mutex");
                Threads.awaitBits(outerMutex::bits, 0, "the outer section to be suspended while its thread waits");
            }
            innerMutex.unlock();
            assertTrue(innerActive.await(Threads.HANG));
            assertEquals(locked, innerMutex.bits());
            if (impl.freeThreaded()) {
                assertEquals(0, outerMutex.bits(), "the outer section stays suspended under the inner one");
            }
            finish.set();
        }
        assertEquals(locked, outerAfterEnd.get(), "the outer section was resumed when the inner one ended");
        assertEquals(0, outerMutex.bits());
        assertEquals(0, innerMutex.bits());
    }

    /**
     * Resuming waits for the mutex: if another thread took the suspended
     * section's mutex while its owner was detached, attaching again waits
     * until that thread releases it (free-threaded).
     */
    @Test
    default void resumeWaitsForTheMutex() {
        Implementation impl = implementation();
        PyMutex guarded = impl.newMutex();
        PyEvent taken = impl.newEvent();
        PyEvent detached = impl.newEvent();
        AtomicInteger afterResume = new AtomicInteger(-1);
        AtomicReference<Boolean> returned = new AtomicReference<>(false);
        try (Threads threads = new Threads()) {
            threads.start("suspended-owner", () -> {
                try (CriticalSection ignored = impl.beginCriticalSection(guarded)) {
                    impl.allowThreads(() -> {
                        detached.set();
                        assertTrue(taken.await(Threads.HANG, false));
                    });
                    returned.set(true);
                    afterResume.set(guarded.bits());
                }
            });
            assertTrue(detached.await(Threads.HANG));
            assertTrue(guarded.tryLock(), "the suspended section's mutex is free");
            taken.set();
            if (impl.freeThreaded()) {
                Threads.awaitBits(guarded::bits, 3, "the owner to wait for its mutex while attaching");
                assertFalse(returned.get(), "attaching waits for the mutex");
            } else {
                Threads.awaitTrue(returned::get, "the owner to return: the default build resumes nothing");
            }
            guarded.unlock();
        }
        if (impl.freeThreaded()) {
            assertEquals(1, afterResume.get(), "the resumed section holds the mutex");
        }
        assertEquals(0, guarded.bits());
    }

    /**
     * Ending a section that is not the innermost throws, and the section is
     * not ended; ending in the right order then works.
     */
    @Test
    default void mismatchedEndThrows() {
        Implementation impl = implementation();
        PyMutex a = impl.newMutex();
        PyMutex b = impl.newMutex();
        CriticalSection outer = impl.beginCriticalSection(a);
        CriticalSection inner = impl.beginCriticalSection(b);
        assertThrows(IllegalStateException.class, outer::end);
        assertEquals(lockedWhileActive(), a.bits(), "the refused end changed nothing");
        assertFalse(outer.isEnded(), "the refused end marked the section ended");
        inner.end();
        assertTrue(inner.isEnded());
        outer.end();
        assertTrue(outer.isEnded());
        assertEquals(0, a.bits());
        assertEquals(0, b.bits());
    }

    /**
     * An end refused because the section's mutex was unlocked outside it
     * changes nothing (free-threaded): the section is still the thread's
     * innermost and not ended, and once the mutex is locked again, its end
     * goes through.
     */
    @Test
    default void anEndRefusedForAnUnlockedMutexChangesNothing() {
        Implementation impl = implementation();
        assumeTrue(impl.freeThreaded(), "only the free-threaded flavour locks in critical sections");
        PyMutex m = impl.newMutex();
        CriticalSection section = impl.beginCriticalSection(m);
        m.unlock();
        assertThrows(IllegalMonitorStateException.class, section::end);
        assertFalse(section.isEnded(), "the refused end marked the section ended");
        assertSame(section, impl.topCriticalSection(), "the refused end popped the section");
        m.lock();
        section.end();
        assertTrue(section.isEnded());
        assertNull(impl.topCriticalSection());
        assertEquals(0, m.bits());
    }

    /**
     * The same for a two-mutex section, whichever of its mutexes, the lower
     * or the higher, was unlocked outside it (free-threaded): the refused
     * end leaves the other mutex locked, where an end that released the
     * higher mutex first, as {@code _PyCriticalSection2_End} does
     * ({@code Include/internal/pycore_critical_section.h}), and only then
     * found the lower one unlocked would leave the section half ended. The
     * section is still the thread's innermost and not ended, and once the
     * mutex is locked again, its end goes through.
     */
    @Test
    default void aTwoMutexEndRefusedForAnUnlockedMutexChangesNothing() {
        Implementation impl = implementation();
        assumeTrue(impl.freeThreaded(), "only the free-threaded flavour locks in critical sections");
        for (boolean lowerUnlocked : new boolean[] {true, false}) {
            MemorySegment struct = Arena.ofAuto().allocate(16, 8);
            PyMutex lower = impl.mutexAt(struct, 0);
            PyMutex higher = impl.mutexAt(struct, 8);
            PyMutex outside = lowerUnlocked ? lower : higher;
            PyMutex other = lowerUnlocked ? higher : lower;
            String which = (lowerUnlocked ? "the lower" : "the higher") + " mutex unlocked outside the section";
            try (Threads threads = new Threads()) {
                threads.start("section-owner", () -> {
                    CriticalSection section = impl.beginCriticalSection(higher, lower);
                    outside.unlock();
                    assertThrows(IllegalMonitorStateException.class, section::end, which);
                    assertEquals(MutexContract.LOCKED, other.bits(), which + ": the refused end released the other");
                    assertFalse(section.isEnded(), which + ": the refused end marked the section ended");
                    assertSame(section, impl.topCriticalSection(), which + ": the refused end popped the section");
                    outside.lock();
                    section.end();
                    assertTrue(section.isEnded(), which);
                    assertNull(impl.topCriticalSection(), which);
                });
            }
            assertEquals(0, lower.bits(), which);
            assertEquals(0, higher.bits(), which);
        }
    }

    /**
     * A contended begin whose wait cannot suspend the thread's sections,
     * because an outer section's mutex was unlocked outside it (CPython
     * would abort), either is refused with {@link IllegalStateException} and
     * changes nothing, or waits without suspending them and begins once the
     * mutex is free (free-threaded). Refused, the outer section stays the
     * innermost and a two-mutex begin frees the lower mutex it had taken;
     * either way, once the outer mutex is locked again the outer section
     * ends.
     */
    @Test
    default void aContendedBeginThatCannotSuspendTheOuterSectionsChangesNothingIfRefused() {
        Implementation impl = implementation();
        assumeTrue(impl.freeThreaded(), "only the free-threaded flavour locks in critical sections");
        PyMutex outerMutex = impl.newMutex();
        MemorySegment struct = Arena.ofAuto().allocate(16, 8);
        PyMutex lower = impl.mutexAt(struct, 0);
        PyMutex busy = impl.mutexAt(struct, 8);
        try (Threads threads = new Threads()) {
            Threads.join(threads.start("beginner", () -> {
                CriticalSection outer = impl.beginCriticalSection(outerMutex);
                outerMutex.unlock();
                beginWhileBusy(impl, threads, busy, () -> impl.beginCriticalSection(busy));
                assertSame(outer, impl.topCriticalSection(), "after the one-mutex begin");
                beginWhileBusy(impl, threads, busy, () -> impl.beginCriticalSection(busy, lower));
                assertSame(outer, impl.topCriticalSection(), "after the two-mutex begin");
                assertEquals(0, lower.bits(), "a refused two-mutex begin kept the lower mutex it had taken");
                outerMutex.lock();
                outer.end();
                assertNull(impl.topCriticalSection());
            }));
        }
        assertEquals(0, outerMutex.bits());
        assertEquals(0, busy.bits());
    }

    /**
     * Has another thread hold {@code busy} for a while, and begins a section
     * on it meanwhile; a section begun is ended again.
     */
    private static void beginWhileBusy(Implementation impl, Threads threads, PyMutex busy,
                                       Supplier<CriticalSection> begin) {
        AtomicBoolean held = new AtomicBoolean();
        threads.start("holder", () -> {
            busy.lock();
            held.set(true);
            Threads.sleepMillis(4 * Threads.QUEUE_MILLIS); // the begin comes meanwhile
            busy.unlock();
        });
        Threads.awaitTrue(held::get, "the holder to lock the busy mutex");
        CriticalSection section;
        try {
            section = begin.get();
        } catch (IllegalStateException refused) {
            return;
        }
        assertSame(section, impl.topCriticalSection());
        section.end();
    }

    /**
     * Ending a section twice, or from another thread, throws and changes
     * nothing (the section ended by its own thread's end stays ended, the
     * one another thread failed to end is not); {@code close}, which is
     * {@code end}, throws too once the section has ended.
     */
    @Test
    default void endTwiceOrFromAnotherThreadThrows() {
        Implementation impl = implementation();
        PyMutex a = impl.newMutex();
        CriticalSection section = impl.beginCriticalSection(a);
        AtomicReference<Throwable> fromOther = new AtomicReference<>();
        try (Threads threads = new Threads()) {
            threads.start("other-thread", () -> fromOther.set(
                    assertThrows(IllegalStateException.class, section::end)));
        }
        assertEquals(lockedWhileActive(), a.bits());
        assertFalse(section.isEnded(), "the end refused to another thread marked the section ended");
        section.end();
        assertTrue(section.isEnded());
        assertThrows(IllegalStateException.class, section::end);
        assertThrows(IllegalStateException.class, section::close, "close after end");
        assertTrue(section.isEnded());
        assertEquals(0, a.bits());
        assertNull(impl.topCriticalSection());
    }

    /**
     * A wait that detaches, made by a thread already detached (inside
     * {@code allowThreads}), neither detaches nor attaches it again
     * ({@code _PySemaphore_Wait} detaches only an attached thread state,
     * {@code Python/lock.c}): the thread's critical sections stay suspended
     * after the wait, until {@code allowThreads} returns (free-threaded).
     */
    @Test
    default void aWaitInsideAllowThreadsLeavesTheSectionsSuspended() {
        Implementation impl = implementation();
        int locked = lockedWhileActive();
        for (BlockedWait wait : BlockedWait.all(impl)) {
            PyMutex guarded = impl.newMutex();
            AtomicInteger afterWait = new AtomicInteger(-1);
            AtomicInteger afterAllowThreads = new AtomicInteger(-1);
            try (Threads threads = new Threads()) {
                Runnable release = wait.holdOnAnotherThread(impl, threads);
                threads.start("waiter", () -> {
                    try (CriticalSection ignored = impl.beginCriticalSection(guarded)) {
                        impl.allowThreads(() -> {
                            wait.await().run();
                            afterWait.set(guarded.bits());
                        });
                        afterAllowThreads.set(guarded.bits());
                    }
                });
                Threads.awaitTrue(wait.parked(), wait.name() + ": the waiter to park");
                release.run();
                Threads.awaitTrue(() -> afterWait.get() != -1, wait.name() + ": the wait to end");
                assertEquals(0, afterWait.get(), wait.name() + ": inside allowThreads the section stays suspended");
            }
            assertEquals(locked, afterAllowThreads.get(), wait.name() + ": resumed when allowThreads returns");
            assertEquals(0, guarded.bits(), wait.name());
        }
    }

    /**
     * An {@code allowThreads} inside another finds the thread detached
     * already and attaches nothing when it returns: the thread's sections
     * stay suspended until the outer {@code allowThreads} returns, and are
     * resumed then (free-threaded), as a detaching wait inside
     * {@code allowThreads} leaves them ({@code _PySemaphore_Wait} detaches
     * only an attached thread state, {@code Python/lock.c}). An inner call
     * that resumed them would hold the section's mutex in the outer call,
     * whose return would then wait for that mutex: the thread's own (the
     * case then lets it go).
     */
    @Test
    default void aNestedAllowThreadsLeavesTheSectionsSuspendedUntilTheOuterOneReturns() {
        Implementation impl = implementation();
        PyMutex guarded = impl.newMutex();
        AtomicInteger afterInner = new AtomicInteger(-1);
        AtomicInteger afterOuter = new AtomicInteger(-1);
        try (Threads threads = new Threads()) {
            Thread nesting = threads.start("nested-allowThreads", () -> {
                try (CriticalSection ignored = impl.beginCriticalSection(guarded)) {
                    impl.allowThreads(() -> {
                        impl.allowThreads(() -> { });
                        afterInner.set(guarded.bits());
                    });
                    afterOuter.set(guarded.bits());
                }
            });
            try {
                Threads.awaitTrue(() -> afterInner.get() != -1 || !nesting.isAlive(),
                        "the inner allowThreads to return");
                assertEquals(0, afterInner.get(), "the inner allowThreads resumed the section inside the outer one");
                Threads.join(nesting);
            } finally {
                if (nesting.isAlive() && guarded.isLocked()) {
                    guarded.unlock(); // the thread waits to resume a section whose mutex it holds itself
                }
            }
        }
        assertEquals(lockedWhileActive(), afterOuter.get(), "resumed when the outer allowThreads returned");
        assertEquals(0, guarded.bits());
    }

    /**
     * Every wait whose C code detaches suspends the waiting thread's critical
     * sections for the wait and resumes them after (free-threaded): a
     * {@code PyMutex}, a reader behind a writer and a writer behind a reader
     * of a {@code _PyRWMutex}, a {@code _PyRecursiveMutex}, a
     * {@code _PyOnceFlag} whose action runs on another thread, a
     * {@code PyEvent} waited on with detach or without a timeout
     * ({@code PyEvent_Wait} detaches). A {@code _PyRawMutex} wait, a
     * {@code PyMutex} timed lock without flags and a {@code PyEvent} wait
     * without detach do not detach and keep them.
     */
    @Test
    default void everyDetachingWaitSuspendsTheSectionsAndNoOtherWaitDoes() {
        Implementation impl = implementation();
        int locked = lockedWhileActive();
        for (BlockedWait wait : BlockedWait.all(impl)) {
            PyMutex guarded = impl.newMutex();
            AtomicInteger afterWait = new AtomicInteger(-1);
            try (Threads threads = new Threads()) {
                Runnable release = wait.holdOnAnotherThread(impl, threads);
                threads.start("waiter", () -> {
                    try (CriticalSection ignored = impl.beginCriticalSection(guarded)) {
                        wait.await().run();
                        afterWait.set(guarded.bits());
                    }
                });
                Threads.awaitTrue(wait.parked(), wait.name() + ": the waiter to park");
                if (wait.detaches()) {
                    Threads.awaitBits(guarded::bits, 0, wait.name() + " suspends the waiter's section");
                    assertTrue(guarded.tryLock(), wait.name() + ": another thread can take the mutex meanwhile");
                    guarded.unlock();
                } else {
                    Threads.sleepMillis(20); // time for a wrong implementation to suspend it
                    assertEquals(locked, guarded.bits(), wait.name() + " does not detach: the section keeps its mutex");
                }
                release.run();
            }
            assertEquals(locked, afterWait.get(), wait.name() + ": the section holds its mutex again after the wait");
            assertEquals(0, guarded.bits(), wait.name());
        }
    }

    /**
     * A begin that need not wait goes through while an outer section's
     * mutex is unlocked outside it (free-threaded): a free mutex is taken
     * by {@code PyMutex_LockFast} in {@code _PyCriticalSection_BeginMutex}
     * and {@code _PyCriticalSection2_BeginMutex}
     * ({@code Include/internal/pycore_critical_section.h}), which suspend
     * nothing; only a begin that has to wait must suspend the thread's
     * sections, and only it may be refused. The new sections, of one mutex
     * and of two, are the innermost in turn and hold their mutexes; their
     * ends resume nothing, nothing having been suspended, so the outer mutex
     * stays unlocked until it is locked again for the outer section's end.
     */
    @Test
    default void anUncontendedBeginGoesThroughUnderASectionWhoseMutexWasUnlockedOutsideIt() {
        Implementation impl = implementation();
        assumeTrue(impl.freeThreaded(), "only the free-threaded flavour locks in critical sections");
        PyMutex outerMutex = impl.newMutex();
        PyMutex a = impl.newMutex();
        PyMutex b = impl.newMutex();
        PyMutex c = impl.newMutex();
        try (Threads threads = new Threads()) {
            threads.start("beginner", () -> {
                CriticalSection outer = impl.beginCriticalSection(outerMutex);
                outerMutex.unlock();
                CriticalSection one = impl.beginCriticalSection(a);
                assertSame(one, impl.topCriticalSection(), "the one-mutex section");
                assertEquals(MutexContract.LOCKED, a.bits(), "the one-mutex section's mutex");
                CriticalSection two = impl.beginCriticalSection(b, c);
                assertSame(two, impl.topCriticalSection(), "the two-mutex section");
                assertEquals(MutexContract.LOCKED, b.bits(), "the two-mutex section's first mutex");
                assertEquals(MutexContract.LOCKED, c.bits(), "the two-mutex section's second mutex");
                two.end();
                one.end();
                assertSame(outer, impl.topCriticalSection());
                assertEquals(0, outerMutex.bits(), "the inner ends resumed the outer section, which was not suspended");
                outerMutex.lock();
                outer.end();
                assertNull(impl.topCriticalSection());
            });
        }
        assertEquals(0, outerMutex.bits());
        assertEquals(0, a.bits());
        assertEquals(0, b.bits());
        assertEquals(0, c.bits());
    }

    /**
     * A wait that does not detach suspends nothing, so it goes ahead for a
     * thread one of whose sections lost its mutex to an unlock outside it
     * (only a detaching wait would have to suspend that section, which
     * CPython cannot do): every such wait of {@link BlockedWait}, and parks
     * without detach that time out or find the word changed, end as they
     * would without the section (free-threaded).
     */
    @Test
    default void aWaitThatDoesNotDetachGoesAheadWhileASectionsMutexIsUnlockedOutsideIt() {
        Implementation impl = implementation();
        assumeTrue(impl.freeThreaded(), "sections lock nothing in the default build");
        WordLot lot = new WordLot(impl.parkingLot());
        for (BlockedWait wait : BlockedWait.all(impl)) {
            if (wait.detaches()) {
                continue;
            }
            PyMutex guarded = impl.newMutex();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicBoolean done = new AtomicBoolean();
            try (Threads threads = new Threads()) {
                Runnable release = wait.holdOnAnotherThread(impl, threads);
                threads.start("waiter", () -> {
                    CriticalSection section = impl.beginCriticalSection(guarded);
                    guarded.unlock();
                    try {
                        wait.await().run();
                        SegmentWord word = lot.newWord(4);
                        assertEquals(ParkStatus.TIMEOUT, lot.park(word, 0, Duration.ofMillis(1), null, false));
                        assertEquals(ParkStatus.AGAIN, lot.park(word, 1, Threads.HANG, null, false));
                        done.set(true);
                    } catch (RuntimeException | AssertionError e) {
                        failure.set(e);
                    } finally {
                        guarded.lock();
                        section.end();
                    }
                });
                Threads.awaitTrue(wait.parked(), wait.name() + ": the waiter to park");
                release.run();
            }
            if (failure.get() != null) {
                throw new AssertionError(wait.name() + " was refused or failed", failure.get());
            }
            assertTrue(done.get(), wait.name());
            assertEquals(0, guarded.bits(), wait.name());
        }
    }

    /**
     * A detaching park compares the value before it waits
     * ({@code _PyParkingLot_Park} compares under the bucket's lock, and only
     * a thread that is queued waits and detaches, {@code Python/parking_lot.c}),
     * so on a value that differs it returns AGAIN, also for a thread one of
     * whose sections lost its mutex to an unlock outside it, whose detaching
     * wait could not suspend them (free-threaded).
     */
    @Test
    default void aDetachingParkOnAValueThatDiffersReturnsAgainThoughTheSectionsCannotBeSuspended() {
        Implementation impl = implementation();
        assumeTrue(impl.freeThreaded(), "sections lock nothing in the default build");
        WordLot lot = new WordLot(impl.parkingLot());
        SegmentWord word = lot.newWord(4);
        PyMutex guarded = impl.newMutex();
        CriticalSection section = impl.beginCriticalSection(guarded);
        guarded.unlock();
        try {
            assertEquals(ParkStatus.AGAIN, lot.park(word, 1, Threads.HANG, null, true));
        } finally {
            guarded.lock();
            section.end();
        }
        assertEquals(0, guarded.bits());
        assertNull(impl.topCriticalSection());
    }
}
