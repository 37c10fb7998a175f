package org.cpylock.tck;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A call made by a thread that was interrupted before it: what the call
 * returned, and whether the thread's interrupt status was still set after it.
 *
 * @param result           what the call returned
 * @param stillInterrupted whether the thread was still interrupted once the call had returned
 * @param <T>              the call's result type
 */
record InterruptedCall<T>(T result, boolean stillInterrupted) {
    /**
     * Runs {@code call} on a new thread that interrupts itself first, and
     * waits for it to return: for a call that must not wait for long, which
     * a wrong implementation may make wait as if nothing had interrupted it.
     * A call that has not returned after {@link Threads#HANG} fails the test,
     * once {@code release} has ended its wait.
     *
     * @param name    the thread's name
     * @param call    the call
     * @param release given the thread; ends its wait (an unpark, an unlock), for a call that waits on
     * @param <T>     the call's result type
     * @return what the call returned, and the thread's interrupt status after it
     */
    static <T> InterruptedCall<T> run(String name, Supplier<T> call, Consumer<Thread> release) {
        AtomicReference<InterruptedCall<T>> outcome = new AtomicReference<>();
        try (Threads threads = new Threads()) {
            Thread caller = threads.start(name, () -> {
                Thread.currentThread().interrupt();
                T result = call.get();
                outcome.set(new InterruptedCall<>(result, Thread.interrupted()));
            });
            try {
                Threads.awaitTrue(() -> outcome.get() != null || !caller.isAlive(),
                        "the call of " + name + ", interrupted before it, to return");
            } finally {
                if (outcome.get() == null && caller.isAlive()) {
                    release.accept(caller);
                }
            }
        }
        return outcome.get();
    }
}
