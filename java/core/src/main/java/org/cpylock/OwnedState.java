package org.cpylock;

import org.cpylock.internal.NativeLibrary;
import org.cpylock.internal.NativeSlots;
import org.cpylock.internal.OwnedMemory;

import java.lang.foreign.MemorySegment;

/**
 * A primitive whose state lives in a zeroed slot of native memory the facade
 * allocates itself ({@link NativeSlots}). The primitive holds the slot's slab,
 * which keeps the memory alive, and accesses the state at the slot's address
 * through {@link OwnedMemory}, passing itself to keep the slab reachable.
 * ({@link PyMutex}, whose byte may also be the caller's memory, holds its own.)
 */
abstract sealed class OwnedState permits OnceFlag, PyEvent, RWMutex, RawMutex, RecursiveMutex, SeqLock {
    /** The slab holding the slot. */
    final MemorySegment memory;
    /** The slot's address. */
    final long address;

    /** Loads the library if needed and takes a fresh slot of {@code slots}; no C call. */
    OwnedState(NativeSlots slots) {
        NativeLibrary.ensureLoaded();
        NativeSlots.Slot slot = slots.allocate();
        this.memory = slot.slab();
        this.address = slot.address();
    }

    /** The slot's first {@code size} bytes, as a slice of the slab (it keeps the memory alive). */
    final MemorySegment slot(long size) {
        return memory.asSlice(address - memory.address(), size);
    }
}
