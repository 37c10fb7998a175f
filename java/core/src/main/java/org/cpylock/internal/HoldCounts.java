package org.cpylock.internal;

import java.util.IdentityHashMap;

/**
 * How many times one thread holds each shared (read) lock: the facade's
 * record for misuse checks. A thread usually holds one read lock at a time;
 * that one is kept in fields, others in a map made when first needed.
 */
public final class HoldCounts {
    private Object single;
    private int singleCount;
    private IdentityHashMap<Object, int[]> others;

    HoldCounts() {
    }

    /** How many holds the thread has on {@code lock}. */
    public int count(Object lock) {
        if (single == lock) {
            return singleCount;
        }
        int[] count = others == null ? null : others.get(lock);
        return count == null ? 0 : count[0];
    }

    /** Records one more hold on {@code lock}. */
    public void increment(Object lock) {
        if (single == lock) {
            singleCount++;
        } else if (single == null && (others == null || !others.containsKey(lock))) {
            single = lock;
            singleCount = 1;
        } else {
            if (others == null) {
                others = new IdentityHashMap<>();
            }
            int[] count = others.get(lock);
            if (count == null) {
                others.put(lock, new int[]{1});
            } else {
                count[0]++;
            }
        }
    }

    /** Records one hold fewer; false (nothing changed) if the thread holds none. */
    public boolean decrement(Object lock) {
        if (single == lock) {
            if (--singleCount == 0) {
                single = null;
            }
            return true;
        }
        int[] count = others == null ? null : others.get(lock);
        if (count == null) {
            return false;
        }
        if (--count[0] == 0) {
            others.remove(lock);
        }
        return true;
    }
}
