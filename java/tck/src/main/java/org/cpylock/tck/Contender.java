package org.cpylock.tck;

import org.cpylock.api.PyMutex;

/**
 * A thread parked on a held mutex for well over 1 ms, so that the unlock
 * that wakes it hands it the mutex ({@code TIME_TO_BE_FAIR_NS},
 * {@code Python/lock.c}); it notes when it has the mutex, then unlocks it.
 */
final class Contender {
    private volatile long took;
    private volatile boolean done;

    private Contender() {
    }

    /**
     * Starts the contender and returns once it has been parked on {@code mutex} for well over 1 ms.
     *
     * @param threads the test's threads
     * @param mutex   a mutex another thread holds
     * @return the contender
     */
    static Contender parkOn(Threads threads, PyMutex mutex) {
        Contender contender = new Contender();
        threads.start("contender", () -> {
            mutex.lock();
            contender.took = System.nanoTime();
            contender.done = true;
            mutex.unlock();
        });
        Threads.awaitBits(mutex::bits, MutexContract.LOCKED_HAS_PARKED, "the contender to park");
        Threads.sleepMillis(Threads.QUEUE_MILLIS); // well over 1 ms: an unlock hands the mutex over
        return contender;
    }

    /**
     * Whether the contender had the mutex before {@code nanos} ({@link System#nanoTime()}).
     *
     * @param nanos a time on the same clock
     * @return true if it had the mutex, and before then
     */
    boolean hadItBefore(long nanos) {
        return done && took - nanos < 0;
    }
}
