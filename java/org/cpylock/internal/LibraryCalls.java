package org.cpylock.internal;

import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;

/**
 * Brackets each native call that synchronizes (takes or releases a lock,
 * waits or wakes), for two reasons:
 *
 * <ul>
 *   <li>Memory ordering. In C these calls are full barriers (CPython's atomics
 *       are sequentially consistent), but the Java memory model knows only
 *       Java actions: a release fence before the call and an acquire fence
 *       after it order the caller's Java reads and writes with the call, as
 *       they would be around a Java lock.</li>
 *   <li>Fork safety. {@code _PyParkingLot_AfterFork} clears every bucket,
 *       which is right only in a freshly forked child where no other thread
 *       exists; run while a thread waits in a bucket or holds a bucket's lock,
 *       it would corrupt the bucket and later abort the process. The calls in
 *       progress are counted, and the facade refuses it while any is.</li>
 * </ul>
 */
final class LibraryCalls {
    private static final LongAdder IN_PROGRESS = new LongAdder();

    private LibraryCalls() {
    }

    static void enter() {
        IN_PROGRESS.increment();
        VarHandle.releaseFence();
    }

    static void exit() {
        VarHandle.acquireFence();
        IN_PROGRESS.decrement();
    }

    static long inProgress() {
        return IN_PROGRESS.sum();
    }
}
