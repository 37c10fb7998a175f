package org.cpylock.port;

/**
 * One parked thread in a bucket's queue: CPython's {@code struct wait_entry}
 * ({@code Python/parking_lot.c}, line 23).
 */
final class WaitEntry {
    /*
     * Implementation notes: the fields are C's: the park argument, the
     * address parked on, the waiter's semaphore, the links of the bucket's
     * intrusive doubly linked list (llist_node) and is_unparking, set by the
     * unparker when it takes the entry out of the queue. Links and
     * is_unparking are guarded by the bucket's mutex.
     */

    final Object parkArg;
    final long address;
    final WakeSignal signal = new WakeSignal();
    WaitEntry prev;
    WaitEntry next;
    boolean isUnparking;

    WaitEntry(Object parkArg, long address) {
        this.parkArg = parkArg;
        this.address = address;
    }
}
