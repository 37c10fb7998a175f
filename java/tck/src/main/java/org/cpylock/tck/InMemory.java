package org.cpylock.tck;

import java.lang.foreign.MemorySegment;

/**
 * A primitive whose state lives in memory laid out as CPython's struct
 * ({@code Include/internal/pycore_lock.h}, {@code Include/cpython/lock.h}).
 *
 * <p>The suite reads and writes that memory as C code may: it starts a
 * primitive from any state word its C type allows (a {@code _PySeqLock}
 * sequence above 2<sup>31</sup>, billions of readers), and it parks on or
 * unparks the struct's address through the {@linkplain ParkingLotUnderTest
 * parking lot} (waking a waiter without changing the state, as a stray
 * {@code _PyParkingLot_UnparkAll} would).
 */
public interface InMemory {
    /**
     * The primitive's struct.
     *
     * @return its memory, of the C struct's size; the state word at offset 0
     */
    MemorySegment segment();
}
