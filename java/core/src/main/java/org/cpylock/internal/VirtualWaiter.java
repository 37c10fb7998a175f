package org.cpylock.internal;

import org.cpylock.internal.ffi.CPyLockBundled;
import org.cpylock.internal.ffi.cpylock_waiters_install$wake;
import org.cpylock.internal.waits.Waits;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * How a thread that must not block in C (a virtual thread, which would hold
 * its carrier) waits in CPython's parking lot and on a {@code _PyRawMutex}
 * with the bundled library: as a real waiter of theirs, parked in Java.
 *
 * <p>Implementation notes. Each such thread has a waiter slot
 * ({@code native/src/split_park.c}): a {@code struct wait_entry} that the
 * parking lot queues as any thread's, and an entry laid out as lock.c's
 * {@code struct raw_mutex_entry}. {@link #park} is {@code _PyParkingLot_Park}
 * with its semaphore wait made in Java: the first half enqueues the slot's
 * entry under the bucket lock ({@code cpylock_park_begin_locked}), the
 * thread parks with {@link LockSupport} until the slot counts a wake-up (a
 * "post"), and, if the wait ended otherwise, the second half takes the entry
 * off the queue ({@code cpylock_park_cancel_locked}) or, if an unparker
 * already has it, waits for that post, as C does. The bucket lock, a
 * {@code _PyRawMutex}, is taken in Java before each half
 * ({@link LockC#rawMutexLockSlow}), so that a thread that meets another on
 * it parks instead of blocking in C; each half unlocks it. Unparkers wake
 * the entry through
 * {@code sem_post} on its semaphore, which the library intercepts for slots:
 * it counts the post in the slot and calls {@link #wake} with the slot's
 * index, which unparks the thread registered there while it waits; the
 * raw-mutex entry's posts are counted apart, as C's two semaphores are. Around
 * the semaphore wait, the thread detaches and attaches as
 * {@code _PySemaphore_Wait} does, with {@link ThreadState#attach()}, which
 * on such a thread resumes critical sections without waiting in C.
 *
 * <p>An interrupt ends an interruptible wait ({@code Py_PARK_INTR}) as the
 * wake-up signal ends a platform thread's; a wait that is not interruptible
 * keeps the interrupt for after it. A slot is freed when its thread state
 * is collected; it is in a queue only while its thread waits, and the
 * thread's registration lasts exactly that long. Resuming a critical
 * section as a wait ends may park again while the first park's entry is
 * still queued (its cancel comes after, as in C); that park has a slot of
 * its own ({@code nested}), as each of C's parks has its entry on its stack.
 */
public final class VirtualWaiter {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    /** The waiting threads, by slot index, while they wait. */
    private static final Registry WAITING = new Registry();
    /** Why no slot can be had, or null; set up once. */
    private static final String UNAVAILABLE = install();
    private static final Cleaner CLEANER = Cleaner.create(Thread.ofPlatform().name("cpylock-waiter-slots")
            .daemon(true).factory());
    private static final long POSTS = UNAVAILABLE == null ? CPyLockBundled.cpylock_offsetof_waiter_posts() : 0;
    private static final long RAW_POSTS = UNAVAILABLE == null ? CPyLockBundled.cpylock_offsetof_waiter_raw_posts() : 0;
    private static final long RAW_ENTRY = UNAVAILABLE == null ? CPyLockBundled.cpylock_offsetof_waiter_raw_entry() : 0;
    /** The bytes of a slot this class reaches: the posts counts and the raw entry's {@code next}. */
    private static final long REACHED = Math.max(Math.max(POSTS, RAW_POSTS) + Integer.BYTES, RAW_ENTRY + Long.BYTES);

    /** What an interrupt does to a wait: ends it, is set aside while parked, or makes it yield. */
    private enum OnInterrupt {
        END, SET_ASIDE, YIELD
    }

    private final Object owner;
    private final MemorySegment slot;
    private final int index;
    /** Whether the owner is in {@link #park}; only the owner reads and writes it. */
    private boolean parking;
    /** The slot of a park made inside this one's, created on first use. */
    private VirtualWaiter nested;

    private VirtualWaiter(Object owner, MemorySegment slot, int index) {
        this.owner = owner;
        this.slot = slot;
        this.index = index;
    }

    /**
     * A slot for {@code owner}'s thread, freed once {@code owner} is unreachable.
     *
     * @throws IllegalStateException if no slot can be had
     */
    static VirtualWaiter create(Object owner) {
        if (UNAVAILABLE != null) {
            throw new IllegalStateException(UNAVAILABLE);
        }
        MemorySegment slot = CPyLockBundled.cpylock_waiter_new();
        if (slot.equals(MemorySegment.NULL)) {
            throw new IllegalStateException("cpylock has no waiter slot left for this thread (4,194,304 threads"
                    + " wait in the bundled library or have waited and are alive)");
        }
        int index = CPyLockBundled.cpylock_waiter_index(slot);
        CLEANER.register(owner, () -> CPyLockBundled.cpylock_waiter_free(slot));
        return new VirtualWaiter(owner, slot.reinterpret(REACHED), index);
    }

    /**
     * {@code _PyParkingLot_Park} ({@code Python/parking_lot.c}) for the
     * calling thread, whose state is {@code thread}: parks on the
     * {@code size} bytes at {@code address} if they equal {@code expected}.
     *
     * @param timeoutNs     negative: no limit
     * @param interruptible whether an interrupt ends the wait (then {@code Py_PARK_INTR})
     * @return a {@code Py_PARK_*} code
     */
    int park(ThreadState thread, MemorySegment address, long expected, int size, long timeoutNs,
             MemorySegment parkArg, boolean detach, boolean interruptible) {
        if (parking) {
            // A wait of the attach that ends this park's wait (the resumption
            // of a critical section) while this slot's entry may still be
            // queued: C's entry is on the stack, one per park, so is this.
            if (nested == null) {
                nested = create(owner);
            }
            return nested.park(thread, address, expected, size, timeoutNs, parkArg, detach, interruptible);
        }
        long lockAddress = Native.waiterBucketLock(address);
        StateWord bucketLock = new OwnedStateWord(VirtualWaiter.class, lockAddress,
                MemorySegment.ofAddress(lockAddress).reinterpret(Long.BYTES), Long.BYTES);
        WAITING.set(index, Thread.currentThread());
        parking = true;
        try {
            LockC.rawMutexLockSlow(this, bucketLock);
            long start = System.nanoTime();
            int begun = Native.waiterParkBeginLocked(slot, address, expected, size, parkArg);
            Waits.addPinned(System.nanoTime() - start);
            if (begun == CPythonConstants.PARK_AGAIN) {
                return begun;
            }
            int result = semaphoreWait(thread, timeoutNs, detach,
                    interruptible ? OnInterrupt.END : OnInterrupt.SET_ASIDE);
            if (result != CPythonConstants.PARK_OK) {
                LockC.rawMutexLockSlow(this, bucketLock);
                start = System.nanoTime();
                boolean unparking = Native.waiterParkCancelLocked(slot);
                Waits.addPinned(System.nanoTime() - start);
                if (unparking) {
                    // Another thread has started to unpark us: wait for its post.
                    result = semaphoreWait(thread, -1, detach, OnInterrupt.YIELD);
                }
            }
            return result;
        } finally {
            parking = false;
            WAITING.set(index, null);
        }
    }

    /**
     * The wait of {@code _PyRawMutex_LockSlow} ({@code Python/lock.c}) once
     * its entry ({@link #rawEntry()}) is linked into the mutex's word: until
     * the unlock that takes it out wakes it. Not interruptible, no detach.
     * Within {@link #park}, for the bucket's lock, an interrupt stays set,
     * as for a thread that waits for that lock in C: the wait yields while
     * the thread is interrupted; elsewhere (a {@code RawMutex}) it is set
     * aside while the thread parks.
     */
    void awaitRawWakeUp() {
        if (parking) {
            awaitPost(RAW_POSTS, -1, OnInterrupt.YIELD);
            return;
        }
        WAITING.set(index, Thread.currentThread());
        try {
            awaitPost(RAW_POSTS, -1, OnInterrupt.SET_ASIDE);
        } finally {
            WAITING.set(index, null);
        }
    }

    /** The slot's raw-mutex entry, as lock.c's {@code struct raw_mutex_entry}: its address, for the mutex's word. */
    long rawEntry() {
        return slot.address() + RAW_ENTRY;
    }

    /** Sets the raw-mutex entry's {@code next}, the waiter queued before it (0: none). */
    void setRawNext(long next) {
        LONG.setVolatile(slot, RAW_ENTRY, next);
    }

    /**
     * {@code _PySemaphore_Wait} ({@code Python/parking_lot.c}): detached while
     * it waits, if asked and attached. Detaching changes something only for a
     * thread in a critical section (the bundled library has no GIL, and binds
     * the thread state for each call), so a thread in none stays attached.
     */
    private int semaphoreWait(ThreadState thread, long timeoutNs, boolean detach, OnInterrupt onInterrupt) {
        boolean detached = detach && thread.isAttached() && thread.inCriticalSection();
        if (detached) {
            long start = System.nanoTime();
            thread.detach();
            Waits.addPinned(System.nanoTime() - start);
        }
        try {
            return awaitPost(POSTS, timeoutNs, onInterrupt);
        } finally {
            if (detached) {
                thread.attach();
            }
        }
    }

    /**
     * The semaphore wait itself: until a post is taken, the time is up, or
     * an interrupt if it ends the wait. A wait that an interrupt does not end
     * sets it aside while it parks and sets it again after, as
     * {@code AbstractQueuedSynchronizer}'s waits do, except the short waits
     * inside a park (for a post already on its way, for the bucket's lock,
     * which is held for a few list operations and an unpark callback that
     * must not wait), which yield instead, so that the interrupt status of
     * an interruptible park stays set throughout, as it does for a thread
     * waiting in C.
     */
    private int awaitPost(long posts, long timeoutNs, OnInterrupt onInterrupt) {
        long deadline = Timeouts.deadline(System.nanoTime(), Math.max(0, timeoutNs));
        boolean interruptKept = false;
        try {
            for (;;) {
                if (takePost(posts)) {
                    return CPythonConstants.PARK_OK;
                }
                if (Thread.currentThread().isInterrupted()) {
                    if (onInterrupt == OnInterrupt.END) {
                        return CPythonConstants.PARK_INTR;
                    }
                    if (onInterrupt == OnInterrupt.YIELD) {
                        Thread.yield();
                        continue;
                    }
                    // Kept for after the wait, so that parking blocks meanwhile.
                    interruptKept = Thread.interrupted();
                }
                if (timeoutNs < 0) {
                    LockSupport.park(this);
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return CPythonConstants.PARK_TIMEOUT;
                    }
                    LockSupport.parkNanos(this, left);
                }
            }
        } finally {
            if (interruptKept) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One post taken from the slot's count at {@code offset}, if there is one. */
    private boolean takePost(long offset) {
        for (int posts = (int) INT.getVolatile(slot, offset); posts > 0; posts = (int) INT.getVolatile(slot, offset)) {
            if (INT.compareAndSet(slot, offset, posts, posts - 1)) {
                return true;
            }
        }
        return false;
    }

    /** The library's wake-up of slot {@code index}, on the unparker's thread. Never throws (it returns into C). */
    private static void wake(int index) {
        try {
            Thread waiting = WAITING.get(index);
            if (waiting != null) {
                LockSupport.unpark(waiting);
            }
        } catch (Throwable ignored) {
            // Nothing may cross into C; the waiter still sees its post when it next looks.
        }
    }

    private static String install() {
        if (NativeLibrary.isInterpreter()) {
            return "waiter slots exist in the bundled library only";
        }
        MemorySegment wake = cpylock_waiters_install$wake.allocate(VirtualWaiter::wake, Arena.global());
        return CPyLockBundled.cpylock_waiters_install(wake) == 0 ? null
                : "cpylock cannot reserve the address range of its waiter slots (mmap failed)";
    }

    /** Threads by slot index: chunks of a fixed size, added as indices grow; reads take no lock. */
    private static final class Registry {
        private static final int CHUNK = 1024;
        @SuppressWarnings("unchecked")
        private volatile AtomicReferenceArray<Thread>[] chunks = (AtomicReferenceArray<Thread>[]) new AtomicReferenceArray<?>[0];

        Thread get(int index) {
            AtomicReferenceArray<Thread>[] current = chunks;
            int chunk = index / CHUNK;
            return chunk < current.length ? current[chunk].get(index % CHUNK) : null;
        }

        void set(int index, Thread thread) {
            int chunk = index / CHUNK;
            AtomicReferenceArray<Thread>[] current = chunks;
            if (chunk >= current.length) {
                current = grow(chunk);
            }
            current[chunk].set(index % CHUNK, thread);
        }

        private synchronized AtomicReferenceArray<Thread>[] grow(int chunk) {
            AtomicReferenceArray<Thread>[] current = chunks;
            if (chunk < current.length) {
                return current;
            }
            AtomicReferenceArray<Thread>[] grown = java.util.Arrays.copyOf(current, Math.max(chunk + 1,
                    2 * current.length));
            for (int i = current.length; i < grown.length; i++) {
                grown[i] = new AtomicReferenceArray<>(CHUNK);
            }
            chunks = grown;
            return grown;
        }
    }
}
