package org.cpylock.internal;

import java.util.IdentityHashMap;

/** How many times one thread holds each shared (read) lock: the facade's record for misuse checks. */
public final class HoldCounts {
    private final IdentityHashMap<Object, int[]> counts = new IdentityHashMap<>();

    HoldCounts() {
    }

    /** How many holds the thread has on {@code lock}. */
    public int count(Object lock) {
        int[] count = counts.get(lock);
        return count == null ? 0 : count[0];
    }

    /** Records one more hold on {@code lock}. */
    public void increment(Object lock) {
        int[] count = counts.get(lock);
        if (count == null) {
            counts.put(lock, new int[]{1});
        } else {
            count[0]++;
        }
    }

    /** Records one hold fewer; false (nothing changed) if the thread holds none. */
    public boolean decrement(Object lock) {
        int[] count = counts.get(lock);
        if (count == null) {
            return false;
        }
        if (--count[0] == 0) {
            counts.remove(lock);
        }
        return true;
    }
}
