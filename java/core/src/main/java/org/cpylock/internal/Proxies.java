package org.cpylock.internal;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

/**
 * Waits in C for virtual threads when bound to an interpreter: the wait is
 * made by a platform thread of an elastic pool (a proxy), while the virtual
 * thread parks until it returns, so that no carrier is held.
 *
 * <p>Implementation notes. Bound to an interpreter, a wait is the
 * interpreter's own C code, on the interpreter's parking lot, which is
 * private to libpython: a thread of the JVM can only be a waiter of it from
 * inside that code. A virtual thread's native state there is the OS thread's
 * (the interpreter identifies threads by OS thread), and a virtual thread has
 * none of its own: it holds no critical section and owns no recursive mutex
 * there. So the proxy makes the same call the virtual thread would make,
 * with the same result, state words, queue order and hand-off; the proxy is
 * the waiter the parking lot sees. A pool thread waits only while a virtual
 * thread waits; idle ones end after a minute. The virtual thread keeps an
 * interrupt for after the wait; an interruptible park hears of it through a
 * callback (see {@link Interrupts}), as the proxy cannot see the virtual
 * thread's interrupt status.
 */
public final class Proxies {
    private static final ExecutorService POOL = Executors.newCachedThreadPool(
            Thread.ofPlatform().name("cpylock-proxy-", 0).daemon(true).factory());

    private Proxies() {
    }

    /** Whether the calling thread's native waits go through a proxy: a virtual thread bound to an interpreter. */
    public static boolean needed() {
        return Thread.currentThread().isVirtual() && NativeLibrary.isInterpreter();
    }

    /** Runs {@code wait} on a proxy if {@link #needed()}, else on the calling thread; its result. */
    public static int await(IntSupplier wait) {
        return await(wait, null, 0);
    }

    /**
     * {@link #await(IntSupplier)}, calling {@code whileInterrupted} (if not
     * null) when the virtual thread is interrupted during the wait and then
     * every {@code pollMillis} ms until the proxy returns. The interrupt is
     * kept for after the wait; with {@code whileInterrupted}, the interrupt
     * status is never cleared meanwhile, so that an interrupt sent during the
     * wait is not merged into one sent before it.
     */
    static int await(IntSupplier wait, Runnable whileInterrupted, long pollMillis) {
        if (!needed()) {
            return wait.getAsInt();
        }
        Thread waiter = Thread.currentThread();
        FutureTask<Integer> result = new FutureTask<>(wait::getAsInt) {
            @Override
            protected void done() {
                LockSupport.unpark(waiter);
            }
        };
        POOL.execute(result);
        boolean interrupted = false;
        boolean delivered = false;
        long deliveredAt = 0;
        try {
            while (!result.isDone()) {
                if (!waiter.isInterrupted()) {
                    LockSupport.park(result);
                } else if (whileInterrupted == null) {
                    // A wait no interrupt ends: kept for after it.
                    interrupted = Thread.interrupted() || interrupted;
                } else {
                    // The status stays set (an interrupt sent meanwhile adds to it, is not
                    // cleared), so park would return at once: deliver, and yield until the
                    // proxy returns.
                    long now = System.nanoTime();
                    if (!delivered || now - deliveredAt >= TimeUnit.MILLISECONDS.toNanos(pollMillis)) {
                        whileInterrupted.run();
                        delivered = true;
                        deliveredAt = now;
                    }
                    Thread.yield();
                }
            }
            return result.get();
        } catch (InterruptedException e) {
            throw new AssertionError("a done task's get does not wait", e);
        } catch (ExecutionException e) {
            throw Exceptions.<RuntimeException>rethrow(e.getCause());
        } finally {
            if (interrupted) {
                waiter.interrupt();
            }
        }
    }

    /** {@link #await(IntSupplier)} for a wait without a result. */
    public static void await(Runnable wait) {
        await(() -> {
            wait.run();
            return 0;
        });
    }
}
