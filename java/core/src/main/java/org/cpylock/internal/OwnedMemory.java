package org.cpylock.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;

/**
 * Atomic access to native memory the facade owns, by absolute address.
 *
 * <p>Every access goes through one constant segment that spans the address
 * space, so the JIT folds its bounds and liveness checks away and a
 * compare-and-set compiles to the single instruction C uses; through the slab
 * segment itself each access pays those checks (about 2 ns per access where
 * the C instruction takes 5). Liveness is kept by hand instead: each method
 * takes an object that keeps the memory alive and fences it after the access,
 * so the memory cannot be released before the access is done. The facade's
 * primitives pass themselves (they hold their slab), which costs no load:
 * the object is already in a register.
 *
 * <p>Only for memory from {@link NativeSlots}; memory a caller supplies is
 * accessed through the caller's segment, with its checks.
 */
public final class OwnedMemory {
    private static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final VarHandle BYTE = ValueLayout.JAVA_BYTE.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private OwnedMemory() {
    }

    /** Volatile read of the byte at {@code address}, 0 to 255. */
    public static int getByteVolatile(Object owner, long address) {
        int value = Byte.toUnsignedInt((byte) BYTE.getVolatile(EVERYTHING, address));
        Reference.reachabilityFence(owner);
        return value;
    }

    /** Opaque (C's relaxed atomic) read of the byte at {@code address}, 0 to 255. */
    public static int getByteOpaque(Object owner, long address) {
        int value = Byte.toUnsignedInt((byte) BYTE.getOpaque(EVERYTHING, address));
        Reference.reachabilityFence(owner);
        return value;
    }

    /** Volatile read of the int at {@code address} (aligned to 4). */
    public static int getIntVolatile(Object owner, long address) {
        int value = (int) INT.getVolatile(EVERYTHING, address);
        Reference.reachabilityFence(owner);
        return value;
    }

    /** Volatile read of the long at {@code address} (aligned to 8). */
    public static long getLongVolatile(Object owner, long address) {
        long value = (long) LONG.getVolatile(EVERYTHING, address);
        Reference.reachabilityFence(owner);
        return value;
    }

    /** Opaque (C's relaxed atomic) read of the long at {@code address} (aligned to 8). */
    public static long getLongOpaque(Object owner, long address) {
        long value = (long) LONG.getOpaque(EVERYTHING, address);
        Reference.reachabilityFence(owner);
        return value;
    }

    /** Opaque (C's relaxed atomic) store of the long at {@code address} (aligned to 8). */
    public static void setLongOpaque(Object owner, long address, long value) {
        LONG.setOpaque(EVERYTHING, address, value);
        Reference.reachabilityFence(owner);
    }

    /** Compare-and-set of the int at {@code address} (aligned to 4). */
    public static boolean compareAndSetInt(Object owner, long address, int expected, int desired) {
        boolean set = INT.compareAndSet(EVERYTHING, address, expected, desired);
        Reference.reachabilityFence(owner);
        return set;
    }

    /** Atomic addition to the long at {@code address} (aligned to 8); returns the value before it. */
    public static long getAndAddLong(Object owner, long address, long delta) {
        long before = (long) LONG.getAndAdd(EVERYTHING, address, delta);
        Reference.reachabilityFence(owner);
        return before;
    }

    /** Atomic exchange of the long at {@code address} (aligned to 8); returns the value before it. */
    public static long getAndSetLong(Object owner, long address, long value) {
        long before = (long) LONG.getAndSet(EVERYTHING, address, value);
        Reference.reachabilityFence(owner);
        return before;
    }

    /** Compare-and-set of the long at {@code address} (aligned to 8). */
    public static boolean compareAndSetLong(Object owner, long address, long expected, long desired) {
        boolean set = LONG.compareAndSet(EVERYTHING, address, expected, desired);
        Reference.reachabilityFence(owner);
        return set;
    }
}
