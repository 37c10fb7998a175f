package org.cpylock.port;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Which thread holds an exclusive lock that CPython does not track an owner
 * for (the write side of an {@link RWMutex}, the write of a {@link SeqLock}),
 * so that releases by other threads can be refused.
 */
final class Writers {
    /*
     * Implementation notes: a concurrent map from the state word's address to
     * the holding thread, so that two Java objects over the same memory agree.
     * A thread is recorded after it has acquired the lock and forgotten before
     * it releases it, so the map never names a thread that does not hold it;
     * an entry lives only as long as the hold.
     */

    private final ConcurrentHashMap<Long, Thread> holders = new ConcurrentHashMap<>();

    /** Records the calling thread as the holder of the lock at {@code address}. */
    void acquired(long address) {
        holders.put(address, Thread.currentThread());
    }

    /** Forgets the calling thread's hold of the lock at {@code address}; false if it held none. */
    boolean releasing(long address) {
        return holders.remove(address, Thread.currentThread());
    }

    /** Whether the calling thread holds the lock at {@code address}. */
    boolean heldByCurrentThread(long address) {
        return holders.get(address) == Thread.currentThread();
    }

    /** The thread holding the lock at {@code address}, or null. */
    Thread holder(long address) {
        return holders.get(address);
    }

    /** Forgets whoever holds the lock at {@code address}. */
    void clear(long address) {
        holders.remove(address);
    }
}
