package org.cpylock.port;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the port remembers about one thread's use of the primitives, to refuse
 * misuse that CPython would not detect (or would abort on): the critical
 * sections it has begun, the read locks it holds, the once flags whose action
 * it is running.
 */
final class ThreadRecords {
    /*
     * Implementation notes: CPython keeps none of this. The records belong to
     * one thread and are only touched by it, so they need no synchronization.
     * Read locks and once flags are keyed by the state word's address, so
     * that two Java objects over the same memory share their records.
     */

    private final ArrayDeque<CriticalSection> openSections = new ArrayDeque<>();
    private final Map<Long, Integer> readHolds = new HashMap<>();
    private final List<Long> runningOnce = new ArrayList<>();

    /** Records a begun section as the innermost. */
    void opened(CriticalSection section) {
        openSections.push(section);
    }

    /** The innermost section begun and not ended, or null. */
    CriticalSection innermost() {
        return openSections.peek();
    }

    /** Forgets the innermost section. */
    void closedInnermost() {
        openSections.pop();
    }

    /** Counts one more read lock on the RW mutex at {@code address}. */
    void readLocked(long address) {
        readHolds.merge(address, 1, Integer::sum);
    }

    /** Counts one read lock less; false if the thread held none. */
    boolean readUnlocked(long address) {
        Integer holds = readHolds.get(address);
        if (holds == null) {
            return false;
        }
        if (holds == 1) {
            readHolds.remove(address);
        } else {
            readHolds.put(address, holds - 1);
        }
        return true;
    }

    /** Whether the thread holds a read lock on the RW mutex at {@code address}. */
    boolean holdsReadLock(long address) {
        return readHolds.containsKey(address);
    }

    /** Records that the thread runs the action of the once flag at {@code address}. */
    void runningOnce(long address) {
        runningOnce.add(address);
    }

    /** Records that the action of the once flag at {@code address} has returned or thrown. */
    void ranOnce(long address) {
        runningOnce.remove(address);
    }

    /** Whether the thread is inside the action of the once flag at {@code address}. */
    boolean isRunningOnce(long address) {
        return runningOnce.contains(address);
    }
}
