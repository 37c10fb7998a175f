package org.cpylock.embed;

import org.cpylock.PyMutex;
import org.cpylock.tck.Threads;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Java thread and a Python thread on one {@code PyMutex} byte, each waking
 * the other through the interpreter's parking lot: run by the tests of a JVM
 * that embeds the interpreter ({@link InterpreterTest}) and of an interpreter
 * that hosts the JVM ({@link HostedScenarios}). {@code ints} are at least two
 * ints Python code can reach.
 */
final class SharedLockScenarios {
    private SharedLockScenarios() {
    }

    /** (a) Java holds the byte; a Python thread's PyMutex_Lock parks (3); Java's unlock wakes it. */
    static void pythonParksOnAByteJavaHolds(Python.Ints ints) {
        PyMutex m = new PyMutex();
        m.lock();
        Python.run("""
                import threading, ctypes
                def _cpylock_a(m=ctypes.c_void_p(%d), state=ctypes.c_int.from_address(%d)):
                    state.value = 1
                    ctypes.pythonapi.PyMutex_Lock(m)
                    state.value = 2
                    ctypes.pythonapi.PyMutex_Unlock(m)
                    state.value = 3
                cpylock_a = threading.Thread(target=_cpylock_a)
                cpylock_a.start()
                """.formatted(m.segment().address(), ints.address(0)));
        Threads.awaitBits(m::bits, 3, "the Python thread to park on the Java-held byte");
        assertEquals(1, ints.get(0), "the Python thread is still waiting");
        m.unlock();
        Threads.awaitTrue(() -> ints.get(0) == 3, "the Python thread to get and release the mutex");
        Python.run("cpylock_a.join()");
        assertEquals(0, m.bits());
    }

    /**
     * Starts Python thread {@code name} (a global of {@code __main__}), which
     * locks {@code m} with {@code PyMutex_Lock}, sets {@code ints[0]} to 1 and
     * unlocks once {@code ints[1]} is not 0; returns once it holds the mutex.
     */
    static void startPythonHolder(String name, PyMutex m, Python.Ints ints) {
        Python.run("""
                import threading, ctypes, time
                def _%1$s(m=ctypes.c_void_p(%2$d), state=ctypes.c_int.from_address(%3$d),
                          release=ctypes.c_int.from_address(%4$d)):
                    ctypes.pythonapi.PyMutex_Lock(m)
                    state.value = 1
                    while release.value == 0:
                        time.sleep(0.001)
                    ctypes.pythonapi.PyMutex_Unlock(m)
                %1$s = threading.Thread(target=_%1$s)
                %1$s.start()
                """.formatted(name, m.segment().address(), ints.address(0), ints.address(1)));
        Threads.awaitTrue(() -> ints.get(0) == 1, "Python thread " + name + " to lock the mutex");
    }

    /** (b) A Python thread holds the byte; Java's tryLock(3 s) and lock() park; Python's PyMutex_Unlock wakes them. */
    static void javaParksOnAByteAPythonThreadHolds(Python.Ints ints) {
        PyMutex m = new PyMutex();
        startPythonHolder("cpylock_b", m, ints);
        AtomicBoolean timedAcquired = new AtomicBoolean();
        AtomicBoolean acquired = new AtomicBoolean();
        try (Threads threads = new Threads()) {
            threads.start("timed", () -> {
                try {
                    timedAcquired.set(m.tryLock(3, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                if (timedAcquired.get()) {
                    m.unlock();
                }
            });
            threads.start("untimed", () -> {
                m.lock();
                acquired.set(true);
                m.unlock();
            });
            Threads.awaitBits(m::bits, 3, "the Java threads to park on the Python-held byte");
            Threads.sleepMillis(20);
            ints.set(1, 1);
        }
        Python.run("cpylock_b.join()");
        assertTrue(timedAcquired.get(), "tryLock(3 s) was woken by Python's unlock");
        assertTrue(acquired.get());
        assertEquals(0, m.bits());
    }
}
