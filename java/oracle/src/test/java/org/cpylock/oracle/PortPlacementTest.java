package org.cpylock.oracle;

import org.cpylock.api.Flavour;
import org.cpylock.api.InMemory;
import org.cpylock.api.OnceFlag;
import org.cpylock.api.PyEvent;
import org.cpylock.api.PyMutex;
import org.cpylock.api.RWMutex;
import org.cpylock.api.RawMutex;
import org.cpylock.api.RecursiveMutex;
import org.cpylock.api.SeqLock;
import org.cpylock.port.Port;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * What the reference port promises beyond the API: its factories that take
 * memory ({@code eventAt}, {@code rawMutexAt}, ... beside the API's
 * {@code mutexAt}) place the primitive's C struct at the offset given, as C
 * lays structs out in an array or inside a larger struct. (cpylock places
 * only its {@code PyMutex} in a caller's memory, so the API and the suite
 * leave the others out.) The mutation run selects this class beside the
 * suite and the oracle.
 */
class PortPlacementTest {
    /** Where the struct goes in the block: after another struct's room, 8-aligned. */
    private static final long OFFSET = 48;
    /**
     * What the rest of the block holds. Its low bits are clear, so that a
     * primitive misplaced there finds it unlocked and writes it, rather
     * than waiting for ever.
     */
    private static final byte AROUND = (byte) 0xA4;

    private record Placement(String name, long size, BiFunction<MemorySegment, Long, InMemory> at,
                             Consumer<InMemory> use) {
    }

    /** Each primitive placed at an offset changes the bytes of its struct there, and no other byte. */
    @Test
    void eachPrimitiveAtAnOffsetChangesItsOwnStructOnly() {
        Port port = new Port(Flavour.FREE_THREADED);
        List<Placement> placements = List.of(
                new Placement("PyMutex", 1, port::mutexAt, p -> ((PyMutex) p).lock()),
                new Placement("PyEvent", 1, port::eventAt, p -> ((PyEvent) p).set()),
                new Placement("RawMutex", 8, port::rawMutexAt, p -> ((RawMutex) p).lock()),
                new Placement("RWMutex", 8, port::rwMutexAt, p -> ((RWMutex) p).lock()),
                new Placement("RecursiveMutex", 24, port::recursiveMutexAt, p -> ((RecursiveMutex) p).lock()),
                new Placement("SeqLock", 4, port::seqLockAt, p -> ((SeqLock) p).lockWrite()),
                new Placement("OnceFlag", 1, port::onceFlagAt, p -> ((OnceFlag) p).callOnce(() -> { })));
        for (Placement placement : placements) {
            MemorySegment block = Arena.ofAuto().allocate(OFFSET + 48, 8);
            block.fill(AROUND);
            block.asSlice(OFFSET, placement.size()).fill((byte) 0);
            byte[] before = block.toArray(ValueLayout.JAVA_BYTE);
            InMemory primitive = placement.at().apply(block, OFFSET);
            assertEquals(block.address() + OFFSET, primitive.segment().address(),
                    placement.name() + ": its struct starts at the offset");
            placement.use().accept(primitive);
            byte[] after = block.toArray(ValueLayout.JAVA_BYTE);
            int end = (int) (OFFSET + placement.size());
            for (int i = 0; i < before.length; i++) {
                if (i < OFFSET || i >= end) {
                    assertEquals(before[i], after[i], placement.name() + ": byte " + i + ", outside its struct");
                }
            }
            assertFalse(Arrays.equals(before, (int) OFFSET, end, after, (int) OFFSET, end),
                    placement.name() + ": its own struct changed");
        }
    }
}
