package org.cpylock.port;

import java.util.List;

/**
 * One bucket of the parking lot's hash table: CPython's {@code Bucket}
 * ({@code Python/parking_lot.c}, line 14): a {@code _PyRawMutex}, the queue of
 * the threads parked on addresses that hash here, and their number.
 */
final class Bucket {
    /*
     * Implementation notes: the queue is FIFO, an intrusive doubly linked
     * list through WaitEntry.prev/next (C's llist), so a waiter that times
     * out unlinks itself in O(1). enqueue appends (llist_insert_tail);
     * dequeue takes the first entry for the address and marks it unparking;
     * dequeueAll moves every entry for the address, in order, to a list.
     * numWaiters counts every entry in the bucket, whatever its address, as
     * num_waiters does (so has_more_waiters may count other addresses). All of
     * it is guarded by mutex, a RawMutex over its own native word.
     */

    /** The bucket lock. */
    final RawMutex mutex;
    private WaitEntry head;
    private WaitEntry tail;
    /** {@code num_waiters}: the entries queued in this bucket. */
    int numWaiters;

    Bucket(RawMutex mutex) {
        this.mutex = mutex;
    }

    /** {@code enqueue} ({@code Python/parking_lot.c}, line 248). */
    void enqueue(WaitEntry wait) {
        wait.prev = tail;
        wait.next = null;
        if (tail == null) {
            head = wait;
        } else {
            tail.next = wait;
        }
        tail = wait;
        numWaiters++;
    }

    /** {@code dequeue} ({@code Python/parking_lot.c}, line 255): the oldest waiter on {@code address}, or null. */
    WaitEntry dequeue(long address) {
        for (WaitEntry wait = head; wait != null; wait = wait.next) {
            if (wait.address == address) {
                remove(wait);
                wait.isUnparking = true;
                return wait;
            }
        }
        return null;
    }

    /** {@code dequeue_all} ({@code Python/parking_lot.c}, line 273): every waiter on {@code address}, oldest first. */
    void dequeueAll(long address, List<WaitEntry> into) {
        WaitEntry wait = head;
        while (wait != null) {
            WaitEntry next = wait.next;
            if (wait.address == address) {
                remove(wait);
                wait.isUnparking = true;
                into.add(wait);
            }
            wait = next;
        }
    }

    /** Unlinks a queued entry ({@code llist_remove} and {@code --num_waiters}). */
    void remove(WaitEntry wait) {
        if (wait.prev == null) {
            head = wait.next;
        } else {
            wait.prev.next = wait.next;
        }
        if (wait.next == null) {
            tail = wait.prev;
        } else {
            wait.next.prev = wait.prev;
        }
        wait.prev = null;
        wait.next = null;
        numWaiters--;
    }
}
