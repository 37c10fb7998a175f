package org.cpylock.api;

import java.lang.foreign.MemorySegment;

/**
 * A primitive whose state lives in native memory laid out as CPython's struct
 * ({@code Include/internal/pycore_lock.h}, {@code Include/cpython/lock.h}),
 * so that C code, the parking lot and tests may read and write it as C does.
 */
public interface InMemory {
    /**
     * The primitive's struct.
     *
     * @return its memory, of the C struct's size, with the state word at offset 0
     */
    MemorySegment segment();
}
