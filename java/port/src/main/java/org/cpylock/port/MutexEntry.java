package org.cpylock.port;

/**
 * What a thread waiting for a {@link PyMutex} parks with: CPython's
 * {@code struct mutex_entry} ({@code Python/lock.c}, line 33).
 */
final class MutexEntry {
    /*
     * Implementation notes: timeToBeFair is written by the waiter before it
     * parks (the park publishes it through the bucket lock); handedOff is
     * written by the unlocking thread inside the unpark callback and read by
     * the waiter once its semaphore wait returns, which the semaphore's
     * volatile permit count orders. It is volatile all the same, so that the
     * read is correct on its own.
     */

    /** {@code time_to_be_fair}: the monotonic time after which an unlock hands the mutex over. */
    final long timeToBeFair;
    /** {@code handed_off}: set by the unlocker if it handed the mutex to this waiter. */
    volatile boolean handedOff;

    MutexEntry(long timeToBeFair) {
        this.timeToBeFair = timeToBeFair;
    }
}
