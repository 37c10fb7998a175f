package org.cpylock.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One thread's critical sections, innermost last, with the native memory of
 * their {@code PyCriticalSection}/{@code PyCriticalSection2} structures.
 *
 * <p>CPython links a thread's critical sections through those structures
 * ({@code _cs_prev}, starting at {@code PyThreadState.critical_section}), so
 * a structure must not move while its section is active: the structure of the
 * section at depth {@code d} lives in slot {@code d}, in chunks that are
 * allocated as the stack grows and never moved. Sections end innermost first
 * (the facade refuses anything else), so slots are reused in order.
 */
public final class CriticalSectionStack {
    private static final long SLOT_BYTES = 32;
    private static final int SLOTS_PER_CHUNK = 32;

    static {
        long needed = Native.criticalSection2Size();
        if (needed > SLOT_BYTES) {
            throw new ExceptionInInitializerError("PyCriticalSection2 needs " + needed + " bytes, slots have "
                    + SLOT_BYTES);
        }
    }

    private final List<MemorySegment> chunks = new ArrayList<>();
    private Object[] sections = new Object[8];
    private int depth;

    CriticalSectionStack() {
    }

    /** Number of sections begun and not yet ended. */
    public int depth() {
        return depth;
    }

    /** The innermost section, or null. */
    public Object top() {
        return depth == 0 ? null : sections[depth - 1];
    }

    /** The position of {@code section} from the bottom (0), or -1. */
    public int indexOf(Object section) {
        for (int i = 0; i < depth; i++) {
            if (sections[i] == section) {
                return i;
            }
        }
        return -1;
    }

    /** The structure memory the next pushed section uses. */
    public MemorySegment nextSlot() {
        int chunk = depth / SLOTS_PER_CHUNK;
        while (chunks.size() <= chunk) {
            chunks.add(Arena.ofAuto().allocate(SLOT_BYTES * SLOTS_PER_CHUNK, 16));
        }
        return chunks.get(chunk).asSlice((depth % SLOTS_PER_CHUNK) * SLOT_BYTES, SLOT_BYTES);
    }

    /** Pushes {@code section}, whose structure is {@link #nextSlot()}. */
    public void push(Object section) {
        if (depth == sections.length) {
            sections = Arrays.copyOf(sections, depth * 2);
        }
        sections[depth++] = section;
    }

    /** Removes the innermost section. */
    public void pop() {
        sections[--depth] = null;
    }
}
