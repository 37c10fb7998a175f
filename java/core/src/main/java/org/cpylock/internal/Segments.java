package org.cpylock.internal;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/** Checks on memory the caller hands over, with messages that name the method and the mistake. */
public final class Segments {
    private Segments() {
    }

    /**
     * Checks that {@code segment} is live native memory of at least
     * {@code bytes} bytes whose address is a multiple of {@code alignment}.
     *
     * @throws IllegalArgumentException if it is a heap segment, too small or misaligned
     * @throws IllegalStateException    if its arena is closed
     */
    public static void requireUsable(MemorySegment segment, long bytes, long alignment, String method) {
        Objects.requireNonNull(segment, method + ": segment");
        if (!segment.isNative()) {
            throw new IllegalArgumentException(method + ": the segment must be native memory, not a heap segment");
        }
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException(method + ": the segment's arena is already closed");
        }
        if (segment.byteSize() < bytes) {
            throw new IllegalArgumentException(method + ": the segment has " + segment.byteSize()
                    + " bytes, at least " + bytes + " are needed");
        }
        if (segment.address() % alignment != 0) {
            throw new IllegalArgumentException(method + ": address 0x" + Long.toHexString(segment.address())
                    + " is not aligned to " + alignment + " bytes");
        }
    }

    /** As {@link #requireUsable}, and the segment must be writable. */
    public static void requireWritable(MemorySegment segment, long bytes, long alignment, String method) {
        requireUsable(segment, bytes, alignment, method);
        if (segment.isReadOnly()) {
            throw new IllegalArgumentException(method + ": the segment is read-only");
        }
    }
}
