package org.cpylock.tck;

import org.cpylock.api.Implementation;
import org.cpylock.api.InMemory;
import org.cpylock.api.RecursiveMutex;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every primitive's memory is its C struct, so that C code and the parking
 * lot can address it as CPython does: {@link InMemory#segment()} is exactly
 * the struct, of its size, and a mutex made over caller's memory is the one
 * byte it was made at.
 */
public interface MemoryContract extends ImplementationProvider {
    /**
     * The sizes of the structs on a 64-bit platform: {@code PyMutex}
     * ({@code Include/cpython/lock.h}), {@code PyEvent}, {@code _PyOnceFlag},
     * {@code _PyRawMutex} and {@code _PyRWMutex} (a {@code uintptr_t}
     * each), {@code _PySeqLock} (a {@code uint32_t}) and
     * {@code _PyRecursiveMutex} (a {@code PyMutex}, an
     * {@code unsigned long long} and a {@code size_t}), all in
     * {@code Include/internal/pycore_lock.h}.
     */
    @Test
    default void eachPrimitivesSegmentIsItsStruct() {
        assumeTrue(ValueLayout.ADDRESS.byteSize() == 8, "the sizes below are a 64-bit platform's");
        Implementation impl = implementation();
        Map<String, InMemory> made = Map.of(
                "PyMutex", impl.newMutex(),
                "PyEvent", impl.newEvent(),
                "_PyOnceFlag", impl.newOnceFlag(),
                "_PyRawMutex", impl.newRawMutex(),
                "_PyRWMutex", impl.newRWMutex(),
                "_PySeqLock", impl.newSeqLock(),
                "_PyRecursiveMutex", impl.newRecursiveMutex());
        Map<String, Long> sizes = Map.of("PyMutex", 1L, "PyEvent", 1L, "_PyOnceFlag", 1L, "_PyRawMutex", 8L,
                "_PyRWMutex", 8L, "_PySeqLock", 4L, "_PyRecursiveMutex", 24L);
        made.forEach((struct, primitive) ->
                assertEquals(sizes.get(struct), primitive.segment().byteSize(), struct + "'s segment"));
    }

    /**
     * A recursive mutex's inner mutex is its struct's first field:
     * {@code _PyRecursiveMutex} begins with its {@code PyMutex mutex}
     * ({@code Include/internal/pycore_lock.h}), so {@code mutex().segment()}
     * is the one byte at the recursive mutex's address.
     */
    @Test
    default void aRecursiveMutexsInnerMutexIsTheFirstByteOfItsStruct() {
        RecursiveMutex m = implementation().newRecursiveMutex();
        MemorySegment inner = m.mutex().segment();
        assertEquals(m.segment().address(), inner.address(), "the inner mutex's address");
        assertEquals(1, inner.byteSize(), "the inner mutex's size");
    }

    /** A mutex made over caller's memory is the byte at its offset: its segment is that one byte. */
    @Test
    default void aMutexMadeOverMemoryIsTheByteAtItsOffset() {
        MemorySegment struct = Arena.ofAuto().allocate(32, 8);
        for (long offset : new long[] {0, 10, 31}) {
            MemorySegment segment = implementation().mutexAt(struct, offset).segment();
            assertEquals(1, segment.byteSize(), "offset " + offset);
            assertEquals(struct.address() + offset, segment.address(), "offset " + offset);
        }
    }
}
