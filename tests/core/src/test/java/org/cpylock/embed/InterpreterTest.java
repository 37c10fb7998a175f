package org.cpylock.embed;

import org.cpylock.CPython;
import org.cpylock.CriticalSection;
import org.cpylock.ParkingLot;
import org.cpylock.PyEvent;
import org.cpylock.PyMutex;
import org.cpylock.RecursiveMutex;
import org.cpylock.api.Flavour;
import org.cpylock.api.LockFlag;
import org.cpylock.api.LockStatus;
import org.cpylock.api.ParkStatus;
import org.cpylock.tck.Threads;
import org.cpylock.testing.Backends;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Java threads and Python threads of the interpreter cpylock is bound to
 * ({@code -Dcpylock.library}) share its locks: one parking lot, the same
 * state bytes, its critical sections. Python code runs in Python threads
 * and drives the interpreter's C API through ctypes ({@code ctypes.pythonapi}).
 */
class InterpreterTest {
    /**
     * {@code offsetof(PyObject, ob_mutex)} in the free-threaded build
     * ({@code Include/object.h}: {@code uintptr_t ob_tid; uint16_t _padding;
     * PyMutex ob_mutex;}). The list test below fails if it is wrong.
     */
    private static final long OB_MUTEX_OFFSET = 10;

    private final Arena arena = Arena.ofShared();
    private final Python.Ints ints = Python.Ints.allocate(arena, 8);

    @BeforeEach
    void interpreterOnly() {
        Backends.assumeInterpreter();
    }

    @AfterEach
    void freeTheInts() {
        arena.close();
    }

    @Test
    void versionAndFlavourAreTheInterpreters() {
        assertEquals("3.13.5", CPython.version());
        String name = CPython.interpreter().orElseThrow().toString();
        Flavour expected = name.contains("free-threaded") ? Flavour.FREE_THREADED : Flavour.DEFAULT;
        assertEquals(expected, CPython.flavour(), name);
        assertTrue(Files.exists(CPython.interpreter().get()));
    }

    /** (a) Java holds the byte; a Python thread's PyMutex_Lock parks (3); Java's unlock wakes it. */
    @Test
    void aPythonThreadParksOnAByteJavaHolds() {
        SharedLockScenarios.pythonParksOnAByteJavaHolds(ints);
    }

    /** (b) A Python thread holds the byte; Java's tryLock(3 s) and lock() park; Python's PyMutex_Unlock wakes them. */
    @Test
    void javaThreadsParkOnAByteAPythonThreadHolds() {
        SharedLockScenarios.javaParksOnAByteAPythonThreadHolds(ints);
    }

    /** (c) A Java PyEvent.await is released by Python's _PyEvent_Notify on the event's byte. */
    @Test
    void pythonNotifiesAnEventJavaAwaits() {
        PyEvent event = new PyEvent();
        AtomicBoolean set = new AtomicBoolean();
        try (Threads threads = new Threads()) {
            threads.start("awaiting", () -> set.set(event.await(Duration.ofSeconds(30))));
            Threads.awaitBits(event::bits, 2, "the Java thread to park on the event");
            Python.run("import ctypes; ctypes.pythonapi._PyEvent_Notify(ctypes.c_void_p(%d))"
                    .formatted(event.segment().address()));
        }
        assertTrue(set.get());
        assertEquals(1, event.bits());
    }

    /**
     * (d) gc.collect() in a Python thread completes while Java threads that
     * used cpylock are idle, or wait in cpylock (with and without detach,
     * and, free-threaded, with detach inside a critical section).
     */
    @Test
    void gcCollectCompletesWhileJavaThreadsIdleOrWait() {
        PyMutex held = new PyMutex();
        PyMutex sectionMutex = new PyMutex();
        PyEvent never = new PyEvent();
        held.lock();
        CountDownLatch idle = new CountDownLatch(1);
        try (Threads threads = new Threads()) {
            threads.start("idle", () -> {
                PyMutex own = new PyMutex();
                own.lock();
                own.unlock();
                try (CriticalSection section = CriticalSection.begin(own)) {
                    assertTrue(section.first() == own);
                }
                awaitUninterruptibly(idle);
            });
            threads.start("lock", () -> {
                held.lock();
                held.unlock();
            });
            threads.start("event", () -> never.await(Duration.ofSeconds(60), false));
            threads.start("section-detached-wait", () -> {
                try (CriticalSection section = CriticalSection.begin(sectionMutex)) {
                    assertEquals(LockStatus.ACQUIRED, held.lockTimed(Duration.ofSeconds(60), LockFlag.DETACH));
                    held.unlock();
                }
            });
            Threads.awaitTrue(() -> held.bits() == 3, "the Java threads to wait");
            Threads.sleepMillis(50);
            Python.run("""
                    import threading, gc, ctypes
                    def _cpylock_d(state=ctypes.c_int.from_address(%d)):
                        gc.collect()
                        gc.collect()
                        state.value = 1
                    cpylock_d = threading.Thread(target=_cpylock_d)
                    cpylock_d.start()
                    """.formatted(ints.address(0)));
            Threads.awaitTrue(() -> ints.get(0) == 1, "gc.collect() in a Python thread to complete");
            Python.run("cpylock_d.join()");
            held.unlock();
            never.set();
            idle.countDown();
        }
        assertEquals(0, held.bits());
    }

    /** (e) A Java critical section on a list's ob_mutex holds back list.append in a Python thread. */
    @Test
    void aJavaCriticalSectionHoldsBackListAppend() {
        assumeTrue(CPython.flavour() == Flavour.FREE_THREADED, "critical sections lock in the free-threaded build");
        PyMutex obMutex = listMutex();
        // The Python thread starts before the section: a new thread state may
        // stop the world (free-threaded: _Py_qsbr_reserve grows its array), and a
        // Java thread is attached, holding that pause up, while it holds a section.
        startAppend();
        Threads.awaitTrue(() -> ints.get(0) == 1, "the Python thread to start");
        try (CriticalSection section = CriticalSection.begin(obMutex)) {
            ints.set(1, 1);
            Threads.awaitBits(obMutex::bits, 3, "list.append to wait for the Java section");
            assertEquals(1, ints.get(0), "append has not happened");
        }
        Threads.awaitTrue(() -> ints.get(0) == 2, "list.append to complete after the section ended");
        Python.run("cpylock_append.join(); assert cpylock_list == [1], cpylock_list");
    }

    /** (e) A Java thread waiting with DETACH inside a section has the section suspended: the list's mutex is free. */
    @Test
    void aDetachedWaitSuspendsTheJavaSection() {
        assumeTrue(CPython.flavour() == Flavour.FREE_THREADED, "critical sections lock in the free-threaded build");
        PyMutex obMutex = listMutex();
        PyMutex busy = new PyMutex();
        busy.lock();
        AtomicReference<LockStatus> status = new AtomicReference<>();
        AtomicBoolean relocked = new AtomicBoolean();
        try (Threads threads = new Threads()) {
            threads.start("section-holder", () -> {
                try (CriticalSection section = CriticalSection.begin(obMutex)) {
                    status.set(busy.lockTimed(Duration.ofSeconds(30), LockFlag.DETACH));
                    relocked.set(obMutex.isLocked());
                    busy.unlock();
                }
            });
            Threads.awaitBits(busy::bits, 3, "the section holder to wait, detached");
            startAppend();
            ints.set(1, 1);
            Threads.awaitTrue(() -> ints.get(0) == 2, "list.append to run while the Java section is suspended");
            busy.unlock();
        }
        assertEquals(LockStatus.ACQUIRED, status.get());
        assertTrue(relocked.get(), "the section was resumed (its mutex locked again) after the wait");
        Python.run("cpylock_append.join(); assert cpylock_list == [1], cpylock_list");
    }

    /**
     * A Java thread gets a thread state of the interpreter's when it first
     * holds a critical section; the state is deleted after the thread ends.
     * (The first deletion also creates the state of the thread that
     * deletes, which stays: hence a first round before the one counted.)
     */
    @Test
    void threadStatesOfEndedJavaThreadsAreDeleted() throws InterruptedException {
        assumeTrue(CPython.flavour() == Flavour.FREE_THREADED, "only critical sections attach, free-threaded");
        int first = Python.threadStates();
        sectionThreadsEnd(2, first, first + 1);
        int before = Python.threadStates();
        sectionThreadsEnd(8, before, before);
        assertEquals(before, Python.threadStates(), "the ended threads' states were deleted");
    }

    /** Runs {@code count} threads that each hold a section, then end; waits until {@code after} states remain. */
    private static void sectionThreadsEnd(int count, int before, int after) throws InterruptedException {
        CountDownLatch ended = new CountDownLatch(1);
        CountDownLatch inSections = new CountDownLatch(count);
        Thread[] threads = new Thread[count];
        for (int i = 0; i < count; i++) {
            threads[i] = Thread.ofPlatform().name("section-" + i).start(() -> {
                try (CriticalSection section = CriticalSection.begin(new PyMutex())) {
                    inSections.countDown();
                }
                awaitUninterruptibly(ended);
            });
        }
        assertTrue(inSections.await(Threads.HANG.toSeconds(), TimeUnit.SECONDS));
        assertEquals(before + count, Python.threadStates(), "one state per Java thread that held a section");
        ended.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        long deadline = System.nanoTime() + Threads.HANG.toNanos();
        while (Python.threadStates() > after && System.nanoTime() < deadline) {
            System.gc();
            Threads.sleepMillis(20);
        }
    }

    /**
     * Java threads (platform and virtual) waiting behind a mutex a Python
     * thread holds end on an interrupt: {@code lockInterruptibly},
     * {@code tryLock(time)}, {@code lockTimed(HANDLE_SIGNALS)}, and a park
     * (which parks again when another parker's interrupt wakes it in
     * passing, as a caller whose condition still holds does); the interrupt's unpark wakes a Python thread waiting on the same mutex
     * too, which waits again and gets the mutex once the holder releases it.
     */
    @Test
    void interruptsEndWaitsBehindAPythonHolder() {
        PyMutex m = new PyMutex();
        SharedLockScenarios.startPythonHolder("cpylock_holder", m, ints);
        Python.run("""
                import threading, ctypes
                def _cpylock_cowaiter(m=ctypes.c_void_p(%d), state=ctypes.c_int.from_address(%d)):
                    ctypes.pythonapi.PyMutex_Lock(m)
                    state.value = 1
                    ctypes.pythonapi.PyMutex_Unlock(m)
                """.formatted(m.segment().address(), ints.address(2)));
        Python.run("cpylock_cowaiter = threading.Thread(target=_cpylock_cowaiter); cpylock_cowaiter.start()");
        Threads.awaitBits(m::bits, 3, "a Python thread to wait behind the Python holder");
        List<Object> outcomes = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Arena parking = Arena.ofShared(); Threads threads = new Threads()) {
            MemorySegment word = parking.allocate(ValueLayout.JAVA_INT);
            List<Thread> waiters = new ArrayList<>();
            for (Thread.Builder builder : List.of(Thread.ofPlatform(), Thread.ofVirtual())) {
                waiters.add(threads.start(builder.name("lockInterruptibly"), () -> {
                    try {
                        m.lockInterruptibly();
                        outcomes.add("acquired");
                    } catch (InterruptedException e) {
                        outcomes.add("interrupted");
                    }
                }));
                waiters.add(threads.start(builder.name("tryLock"), () -> {
                    try {
                        outcomes.add(m.tryLock(1, TimeUnit.HOURS) ? "acquired" : "timed out");
                    } catch (InterruptedException e) {
                        outcomes.add("interrupted");
                    }
                }));
                waiters.add(threads.start(builder.name("lockTimed"), () -> outcomes.add(
                        m.lockTimed(Duration.ofHours(1), LockFlag.DETACH, LockFlag.HANDLE_SIGNALS)
                                == LockStatus.INTERRUPTED ? "interrupted" : "not interrupted")));
                waiters.add(threads.start(builder.name("park"), () -> {
                    ParkStatus status;
                    do {
                        // OK: woken in passing by another parker's interrupt (the parks ahead of an
                        // interrupted one are unparked too); nothing changed the word, so park again.
                        status = ParkingLot.park(word, 0, 4, Duration.ofHours(1), null, false);
                    } while (status == ParkStatus.OK);
                    outcomes.add(status == ParkStatus.INTERRUPTED ? "interrupted" : "not interrupted");
                }));
            }
            Threads.awaitTrue(() -> CPython.waits().size() >= waiters.size(), "the Java threads to wait");
            waiters.forEach(Thread::interrupt);
            for (Thread waiter : waiters) {
                Threads.join(waiter);
            }
        }
        assertEquals(java.util.Collections.nCopies(8, "interrupted"), outcomes);
        assertEquals(0, ints.get(2), "the Python co-waiter got the mutex from a holder that still holds it");
        ints.set(1, 1);
        Threads.awaitTrue(() -> ints.get(2) == 1, "the Python co-waiter to get the mutex after the holder");
        Python.run("cpylock_holder.join(); cpylock_cowaiter.join()");
        assertEquals(0, m.bits());
    }

    /** What the interpreter ties to OS threads is refused to virtual threads; its parking lot is not emptied. */
    @Test
    void osThreadBoundOperationsAreRefusedToVirtualThreads() {
        RecursiveMutex recursive = new RecursiveMutex();
        AtomicReference<Throwable> lock = new AtomicReference<>();
        AtomicReference<Throwable> section = new AtomicReference<>();
        try (Threads threads = new Threads()) {
            threads.start(Thread.ofVirtual().name("virtual"), () -> {
                lock.set(assertThrows(IllegalStateException.class, recursive::lock));
                if (CPython.flavour() == Flavour.FREE_THREADED) {
                    section.set(assertThrows(IllegalStateException.class,
                            () -> CriticalSection.begin(new PyMutex())));
                }
            });
        }
        assertTrue(lock.get().getMessage().contains("virtual thread"), lock.get().getMessage());
        assertFalse(recursive.mutex().isLocked());
        assertThrows(IllegalStateException.class, ParkingLot::afterFork);
    }

    /**
     * A section whose mutex was unlocked by hand cannot be suspended (the
     * interpreter's detach would abort): a wait with a detach flag waits
     * holding it, as the bundled library does, and the interpreter's own
     * detaching waits are refused.
     */
    @Test
    void aWaitThatWouldSuspendABrokenSectionHoldsItOrIsRefused() {
        assumeTrue(CPython.flavour() == Flavour.FREE_THREADED, "critical sections lock in the free-threaded build");
        PyMutex m = new PyMutex();
        PyMutex busy = new PyMutex();
        org.cpylock.RWMutex rw = new org.cpylock.RWMutex();
        busy.lock();
        AtomicReference<Throwable> refused = new AtomicReference<>();
        AtomicReference<LockStatus> held = new AtomicReference<>();
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        try (Threads threads = new Threads()) {
            threads.start("writer", () -> {
                rw.lock();
                writing.countDown();
                awaitUninterruptibly(done);
                rw.unlock();
            });
            threads.start("broken-section", () -> {
                awaitUninterruptibly(writing);
                CriticalSection section = CriticalSection.begin(m);
                m.unlock(); // misuse: behind the section's back
                held.set(busy.lockTimed(Duration.ofMillis(50), LockFlag.DETACH));
                refused.set(assertThrows(IllegalStateException.class, rw::rlock));
                m.lock();
                section.end();
                done.countDown();
            });
        }
        busy.unlock();
        assertEquals(LockStatus.FAILURE, held.get(), "the detach-flag wait waited, holding the section, to its timeout");
        assertTrue(refused.get().getMessage().contains("unlocked outside the section"), refused.get().getMessage());
        assertEquals(0, m.bits());
        assertEquals(0, rw.bits());
    }

    /** A Python list, kept in __main__ as cpylock_list, and its ob_mutex as a PyMutex. */
    private PyMutex listMutex() {
        Python.run("""
                import ctypes
                cpylock_list = []
                ctypes.c_uint64.from_address(%d).value = id(cpylock_list)
                """.formatted(ints.address(4)));
        long id = ints.memory().get(ValueLayout.JAVA_LONG, 16);
        return PyMutex.at(MemorySegment.ofAddress(id + OB_MUTEX_OFFSET).reinterpret(1));
    }

    /**
     * A Python thread that sets int 0 to 1, waits (sleeping, detached) until
     * int 1 is set, appends to cpylock_list, then sets int 0 to 2.
     */
    private void startAppend() {
        ints.set(1, 0);
        Python.run("""
                import threading, ctypes, time
                def _cpylock_append(state=ctypes.c_int.from_address(%d), go=ctypes.c_int.from_address(%d)):
                    state.value = 1
                    while go.value == 0:
                        time.sleep(0.001)
                    cpylock_list.append(1)
                    state.value = 2
                cpylock_append = threading.Thread(target=_cpylock_append)
                cpylock_append.start()
                """.formatted(ints.address(0), ints.address(1)));
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            assertTrue(latch.await(Threads.HANG.toSeconds(), TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
