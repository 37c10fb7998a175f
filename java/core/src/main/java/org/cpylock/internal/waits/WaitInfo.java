package org.cpylock.internal.waits;

import org.cpylock.Wait;

import java.util.List;

/** One waiting thread, as the MBean shows it (a {@code CompositeData} item). */
public final class WaitInfo {
    private final Wait wait;

    WaitInfo(Wait wait) {
        this.wait = wait;
    }

    /** The waiting thread's name. */
    public String getThreadName() {
        return wait.thread().getName();
    }

    /** The waiting thread's id. */
    public long getThreadId() {
        return wait.thread().threadId();
    }

    /** Whether it is a virtual thread. */
    public boolean isVirtualThread() {
        return wait.thread().isVirtual();
    }

    /** What it waits on: the facade class's simple name. */
    public String getPrimitive() {
        return wait.primitive().toString();
    }

    /** The state word's address, in hexadecimal. */
    public String getAddress() {
        return "0x" + Long.toHexString(wait.address());
    }

    /** The state word now. */
    public long getStateWord() {
        return wait.stateWord();
    }

    /** The wait's flags' names ({@link org.cpylock.Wait.Flag}). */
    public String[] getFlags() {
        return wait.flags().stream().map(Enum::name).toArray(String[]::new);
    }

    /** Milliseconds waited so far. */
    public long getWaitedMillis() {
        return wait.waited().toMillis();
    }

    /** The names of the other threads waiting on the same address. */
    public String[] getAlsoWaiting() {
        List<Thread> others = wait.alsoWaiting();
        return others.stream().map(Thread::getName).toArray(String[]::new);
    }
}
