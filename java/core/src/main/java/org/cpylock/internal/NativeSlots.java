package org.cpylock.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;

/**
 * Zero-initialized native memory for primitives the facade allocates itself,
 * carved out of 4 KiB slabs.
 *
 * <p>One arena per primitive costs hundreds of bytes of heap; a slab costs
 * that once for many primitives. Each slab belongs to an automatic arena, and
 * every primitive keeps its slab's segment: a slab is released when the last
 * primitive carved from it is unreachable. A primitive cannot become
 * unreachable while a thread is inside one of its methods (the methods pass
 * the segment to the native call, or fence the primitive), so memory is never
 * released under a waiting thread.
 *
 * <p>Slots are never reused while their slab lives: a long-lived primitive
 * keeps at most one slab (4 KiB) of released neighbours alive.
 */
public final class NativeSlots {
    static final long SLAB_BYTES = 4096;
    private static final LongAdder SLABS_ALLOCATED = new LongAdder();

    private static final VarHandle CURRENT;
    private static final VarHandle NEXT;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            CURRENT = lookup.findVarHandle(NativeSlots.class, "current", Slab.class);
            NEXT = lookup.findVarHandle(Slab.class, "next", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** 4-byte slots: {@code PyMutex}, {@code PyEvent}, {@code _PyOnceFlag}, {@code _PySeqLock}. */
    public static final NativeSlots WORDS = new NativeSlots(4);
    /** 8-byte slots: {@code _PyRawMutex}, {@code _PyRWMutex} (one {@code uintptr_t}). */
    public static final NativeSlots POINTERS = new NativeSlots(8);
    /** 32-byte slots: {@code _PyRecursiveMutex} (24 bytes on 64-bit platforms). */
    public static final NativeSlots RECURSIVE_MUTEXES = new NativeSlots(32);

    /** A slot: the slab segment that holds it (keep it to keep the memory) and its offset there. */
    public record Slot(MemorySegment slab, long offset) {
        /** The slot's absolute address. */
        public long address() {
            return slab.address() + offset;
        }
    }

    private final long slotBytes;
    @SuppressWarnings("unused") // accessed through CURRENT
    private volatile Slab current;

    /** Slots of {@code slotBytes} bytes (a power of two, 4 to 64), aligned to their size. */
    public NativeSlots(long slotBytes) {
        if (slotBytes < 4 || slotBytes > 64 || Long.bitCount(slotBytes) != 1) {
            throw new IllegalArgumentException("slot size must be a power of two from 4 to 64: " + slotBytes);
        }
        this.slotBytes = slotBytes;
        this.current = new Slab();
    }

    /** A fresh zeroed slot. */
    public Slot allocate() {
        for (;;) {
            Slab slab = (Slab) CURRENT.getAcquire(this);
            long offset = (long) NEXT.getAndAdd(slab, slotBytes);
            if (offset + slotBytes <= SLAB_BYTES) {
                return new Slot(slab.segment, offset);
            }
            CURRENT.compareAndSet(this, slab, new Slab());
        }
    }

    /** Native bytes of all slabs allocated so far (released ones included), for footprint measurements. */
    public static long allocatedBytes() {
        return SLABS_ALLOCATED.sum() * SLAB_BYTES;
    }

    private static final class Slab {
        final MemorySegment segment = Arena.ofAuto().allocate(SLAB_BYTES, 64);
        @SuppressWarnings("unused") // accessed through NEXT
        volatile long next;

        Slab() {
            SLABS_ALLOCATED.increment();
        }
    }
}
