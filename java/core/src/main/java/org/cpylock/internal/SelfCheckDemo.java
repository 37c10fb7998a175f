package org.cpylock.internal;

import org.cpylock.CPython;
import org.cpylock.PyEvent;
import org.cpylock.PyMutex;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A short demonstration that the native library loads and behaves as CPython
 * does: prints the CPython version, the flavour, and a few operations on a
 * {@link PyMutex} and a {@link PyEvent} with the state byte after each. Run
 * by {@link org.cpylock.SelfCheck}, the jar's main class.
 */
public final class SelfCheckDemo {
    private SelfCheckDemo() {
    }

    public static void main(String[] args) throws Exception {
        System.out.printf("cpylock self-check: CPython %s, %s flavour%n", CPython.version(), CPython.flavour().id());

        PyMutex mutex = new PyMutex();
        step("PyMutex", "new PyMutex()", mutex.bits());
        mutex.lock();
        step("PyMutex", "lock()", mutex.bits());
        step("PyMutex", "tryLock() -> " + mutex.tryLock(), mutex.bits());
        step("PyMutex", "lockTimed(5 ms) -> " + mutex.lockTimed(Duration.ofMillis(5)), mutex.bits());

        Thread waiter = Thread.ofPlatform().start(() -> {
            mutex.lock();
            mutex.unlock();
        });
        awaitBits(mutex::bits, 3);
        step("PyMutex", "a second thread parks in lock()", mutex.bits());
        Thread.sleep(5);
        mutex.unlock();
        step("PyMutex", "unlock() after it waited > 1 ms (hand-off)", mutex.bits());
        waiter.join();
        step("PyMutex", "waiter locked and unlocked", mutex.bits());
        try {
            mutex.unlock();
        } catch (IllegalMonitorStateException e) {
            step("PyMutex", "unlock() again -> " + e.getClass().getSimpleName(), mutex.bits());
        }

        PyEvent event = new PyEvent();
        step("PyEvent", "new PyEvent()", event.bits());
        step("PyEvent", "await(1 ms) -> " + event.await(Duration.ofMillis(1)), event.bits());
        Thread eventWaiter = Thread.ofPlatform().start(event::await);
        awaitBits(event::bits, 2);
        step("PyEvent", "a second thread parks in await()", event.bits());
        event.set();
        eventWaiter.join();
        step("PyEvent", "set() woke it; isSet() -> " + event.isSet(), event.bits());
        event.set();
        step("PyEvent", "set() again", event.bits());
    }

    private static void step(String primitive, String operation, int bits) {
        System.out.printf("  %-8s %-46s bits=%d%n", primitive, operation, bits);
    }

    private static void awaitBits(java.util.function.IntSupplier bits, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (bits.getAsInt() != expected) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("state byte stayed at " + bits.getAsInt() + ", expected " + expected);
            }
            Thread.sleep(1);
        }
    }
}
