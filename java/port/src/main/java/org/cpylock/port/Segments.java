package org.cpylock.port;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Memory for state words: allocation of zeroed native memory, and the checks
 * that caller-given memory can hold one.
 */
final class Segments {
    /*
     * Implementation notes: a primitive that allocates its own state gets
     * zeroed native memory from an automatic arena (freed once unreachable),
     * which is what CPython's zero-initialization "{0}" gives. Caller-given
     * memory must be native (the parking lot keys waiters by address),
     * writable, in bounds and aligned as the C type is.
     */

    private Segments() {
    }

    /** Zeroed native memory of {@code size} bytes, aligned to {@code alignment}. */
    static MemorySegment allocate(long size, long alignment) {
        return Arena.ofAuto().allocate(size, alignment);
    }

    /** Checks that {@code size} bytes at {@code offset} of {@code segment} are native, in bounds and aligned. */
    static void require(MemorySegment segment, long offset, long size, long alignment, boolean writable,
                        String what) {
        Objects.requireNonNull(segment, "segment");
        if (!segment.isNative()) {
            throw new IllegalArgumentException(what + ": the segment must be native memory (waiters are keyed by"
                    + " address)");
        }
        if (writable && segment.isReadOnly()) {
            throw new IllegalArgumentException(what + ": the segment is read-only");
        }
        if (offset < 0 || offset > segment.byteSize() - size) {
            throw new IllegalArgumentException(what + ": " + size + " bytes at offset " + offset
                    + " do not fit in a segment of " + segment.byteSize() + " bytes");
        }
        if ((segment.address() + offset) % alignment != 0) {
            throw new IllegalArgumentException(what + ": the address 0x" + Long.toHexString(segment.address() + offset)
                    + " is not aligned to " + alignment + " bytes");
        }
    }
}
