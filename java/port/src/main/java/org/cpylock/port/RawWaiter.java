package org.cpylock.port;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A thread waiting for a {@link RawMutex}: CPython's
 * {@code struct raw_mutex_entry} ({@code Python/lock.c}, line 183), whose
 * address the mutex's word holds.
 */
final class RawWaiter {
    /*
     * Implementation notes: in C the entry lives on the waiting thread's
     * stack and the mutex word points at it, so the word's upper bits are a
     * real address. Here each thread owns one 16-byte block of native memory
     * (its first 8 bytes are the entry's next pointer, as in C) allocated on
     * first need and kept for the thread's life; a thread waits for at most
     * one raw mutex at a time, and it is never linked in a list once it holds
     * the mutex, so reusing the block is as safe as reusing a stack slot. The
     * semaphore cannot live in native memory, so while a thread is inside
     * _PyRawMutex_LockSlow its entry is also registered in a map from the
     * block's address to this object, where the unlocker finds the semaphore
     * to wake. The registration ends when the lock is acquired, so the map
     * holds only threads waiting now.
     */

    private static final VarHandle NEXT = ValueLayout.JAVA_LONG.varHandle();
    private static final ThreadLocal<MemorySegment> BLOCKS =
            ThreadLocal.withInitial(() -> Segments.allocate(16, 16));
    private static final ConcurrentHashMap<Long, RawWaiter> WAITING = new ConcurrentHashMap<>();

    private final MemorySegment block;
    /** {@code sema}: initialized fresh for each lock, as {@code _PySemaphore_Init} is. */
    final WakeSignal signal = new WakeSignal();

    private RawWaiter(MemorySegment block) {
        this.block = block;
    }

    /** The calling thread's entry, registered until {@link #leave()}. */
    static RawWaiter enter() {
        RawWaiter waiter = new RawWaiter(BLOCKS.get());
        WAITING.put(waiter.address(), waiter);
        return waiter;
    }

    /** The registered entry at {@code address}, or null. */
    static RawWaiter at(long address) {
        return WAITING.get(address);
    }

    /** Ends the registration ({@code _PySemaphore_Destroy}). */
    void leave() {
        WAITING.remove(address(), this);
    }

    /** The entry's address, even (8-byte aligned), as stored in the mutex word. */
    long address() {
        return block.address();
    }

    /** {@code waiter.next}: the next older waiter's address, or 0. */
    long next() {
        return (long) NEXT.getVolatile(block, 0L);
    }

    /** Sets {@code waiter.next}. */
    void next(long address) {
        NEXT.setVolatile(block, 0L, address);
    }
}
