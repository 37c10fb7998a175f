package org.cpylock.port;

import java.lang.foreign.MemorySegment;

/**
 * CPython's {@code _PyRWMutex} ({@code Include/internal/pycore_lock.h},
 * {@code Python/lock.c}): a writer-preferring readers-writer lock.
 *
 * <h2>State word</h2>
 * One {@code uintptr_t} (8 bytes), {@code bits}:
 * <pre>
 *   bit 0    _Py_WRITE_LOCKED: a writer holds the lock
 *   bit 1    _Py_HAS_PARKED: readers or writers are parked
 *   bits 2-  the number of readers holding the lock (_PyRWMutex_READER_SHIFT)
 *
 *   0b000..00000  unlocked
 *   0bnnn..nnn00  n readers
 *   0bnnn..nnn10  n readers, a writer parked (new readers park too)
 *   0b00000..010  unlocked, a woken writer about to take the lock
 *   0b00000..001  write-locked
 *   0b00000..011  write-locked, readers or writers parked
 * </pre>
 * While anyone is parked new readers park instead of joining, so writers are
 * not starved. Not fair among writers, not reentrant; waiters park detached.
 */
public final class RWMutex implements org.cpylock.api.RWMutex {
    /*
     * Implementation notes: _PyRWMutex_RLock, _RUnlock, _Lock, _Unlock and
     * rwmutex_set_parked_and_wait ported directly; every wake-up is an
     * UnparkAll and woken threads compete again. Waits are not ended by
     * interrupts (CPython's park result is ignored and the loop parks again);
     * an interrupt is set again on return.
     *
     * CPython trusts its callers. The port records the writer (Writers) and
     * each thread's read locks (ThreadRecords), keyed by the word's address,
     * and throws IllegalMonitorStateException for releases that do not match
     * a hold, and IllegalStateException for acquisitions that could only
     * deadlock the calling thread (a read or write lock requested while it
     * holds the write lock, or the write lock while it holds a read lock).
     */

    private static final long WRITE_LOCKED = 1;
    private static final long HAS_PARKED = 2;
    private static final int READER_SHIFT = 2;
    private static final long ONE_READER = 1L << READER_SHIFT;

    private final Port port;
    private final AtomicWord bits;

    RWMutex(Port port, AtomicWord bits) {
        this.port = port;
        this.bits = bits;
    }

    /**
     * Acquires a read lock, parking while a writer holds or waits for the
     * lock; not interruptible. {@code _PyRWMutex_RLock} ({@code Python/lock.c}).
     *
     * @throws IllegalStateException if the calling thread holds the write lock (it would wait for itself)
     */
    public void rlock() {
        ThreadRecords records = port.threads().current().records();
        if (port.rwWriters().heldByCurrentThread(bits.address())) {
            throw new IllegalStateException("RWMutex.rlock: the calling thread holds the write lock; waiting for"
                    + " a read lock would deadlock");
        }
        boolean interrupted = false;
        try {
            long current = bits.get();
            for (;;) {
                if ((current & WRITE_LOCKED) != 0) {
                    // A writer holds the lock.
                    current = setParkedAndWait(current);
                    interrupted |= Interrupts.absorb();
                } else if ((current & HAS_PARKED) != 0) {
                    // Readers hold it (or just left) and a writer waits: do not starve it.
                    current = setParkedAndWait(current);
                    interrupted |= Interrupts.absorb();
                } else {
                    long witness = bits.compareAndExchange(current, current + ONE_READER);
                    if (witness == current) {
                        break;
                    }
                    current = witness;
                }
            }
        } finally {
            Interrupts.restore(interrupted);
        }
        records.readLocked(bits.address());
    }

    /**
     * Releases a read lock; the last reader wakes the parked threads.
     * {@code _PyRWMutex_RUnlock} ({@code Python/lock.c}).
     *
     * @throws IllegalMonitorStateException if the calling thread holds no read lock
     */
    public void runlock() {
        if (!port.threads().current().records().readUnlocked(bits.address())) {
            throw new IllegalMonitorStateException("RWMutex.runlock: the calling thread holds no read lock");
        }
        long after = bits.getAndAdd(-ONE_READER) - ONE_READER;
        if ((after >>> READER_SHIFT) == 0 && (after & HAS_PARKED) != 0) {
            port.parkingLot().unparkAll(bits.address());
        }
    }

    /**
     * Acquires the write lock, parking while readers or another writer hold
     * it; not interruptible. {@code _PyRWMutex_Lock} ({@code Python/lock.c}).
     *
     * @throws IllegalStateException if the calling thread already holds the lock, to read or write
     */
    public void lock() {
        long address = bits.address();
        if (port.rwWriters().heldByCurrentThread(address)) {
            throw new IllegalStateException("RWMutex.lock: the calling thread holds the write lock already; the"
                    + " lock is not reentrant");
        }
        if (port.threads().current().records().holdsReadLock(address)) {
            throw new IllegalStateException("RWMutex.lock: the calling thread holds a read lock; waiting for the"
                    + " write lock would deadlock");
        }
        boolean interrupted = false;
        try {
            long current = bits.get();
            for (;;) {
                // No readers and no writer: take it (a parked bit may stay).
                if ((current & ~HAS_PARKED) == 0) {
                    long witness = bits.compareAndExchange(current, current | WRITE_LOCKED);
                    if (witness == current) {
                        break;
                    }
                    current = witness;
                    continue;
                }
                current = setParkedAndWait(current);
                interrupted |= Interrupts.absorb();
            }
        } finally {
            Interrupts.restore(interrupted);
        }
        port.rwWriters().acquired(address);
    }

    /**
     * Releases the write lock and wakes every parked thread.
     * {@code _PyRWMutex_Unlock} ({@code Python/lock.c}).
     *
     * @throws IllegalMonitorStateException if the calling thread does not hold the write lock
     */
    public void unlock() {
        if (!port.rwWriters().releasing(bits.address())) {
            throw new IllegalMonitorStateException("RWMutex.unlock: the calling thread does not hold the write"
                    + " lock");
        }
        long old = bits.getAndSet(0);
        if ((old & HAS_PARKED) != 0) {
            port.parkingLot().unparkAll(bits.address());
        }
    }

    /**
     * The state word {@code _PyRWMutex.bits} ({@code Include/internal/pycore_lock.h}), read atomically.
     *
     * @return bit 0 write-locked, bit 1 has parked, the reader count from bit 2
     */
    public long bits() {
        return bits.get();
    }

    /**
     * The number of readers, {@code rwmutex_reader_count} ({@code Python/lock.c}).
     *
     * @return the word shifted right by 2
     */
    public long readers() {
        return bits() >>> READER_SHIFT;
    }

    /**
     * The {@code _PyRWMutex} ({@code Include/internal/pycore_lock.h}) as memory, laid out as the C type, for comparing
     * with C byte for byte (no CPython function).
     *
     * @return the 8 bytes of the state word
     */
    public MemorySegment segment() {
        return bits.slice();
    }

    @Override
    public String toString() {
        return "RWMutex[bits=0x" + Long.toHexString(bits()) + "]";
    }

    /** {@code rwmutex_set_parked_and_wait} ({@code Python/lock.c}, line 403): returns the word seen next. */
    private long setParkedAndWait(long current) {
        if ((current & HAS_PARKED) == 0) {
            long parked = current | HAS_PARKED;
            long witness = bits.compareAndExchange(current, parked);
            if (witness != current) {
                return witness;
            }
            current = parked;
        }
        port.parkingLot().park(bits, current, Timeouts.FOREVER, null, true);
        return bits.get();
    }
}
