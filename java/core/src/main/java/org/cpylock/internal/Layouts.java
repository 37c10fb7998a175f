package org.cpylock.internal;

import org.cpylock.internal.ffi._PyRecursiveMutex;

/** Field offsets of CPython's structures, from the generated layouts (checked against the library by tests). */
public final class Layouts {
    /** {@code offsetof(_PyRecursiveMutex, thread)}: the owner's identity. */
    public static final long RECURSIVE_MUTEX_THREAD = _PyRecursiveMutex.thread$offset();
    /** {@code offsetof(_PyRecursiveMutex, level)}: re-entries beyond the first. */
    public static final long RECURSIVE_MUTEX_LEVEL = _PyRecursiveMutex.level$offset();
    /** {@code offsetof(_PyRecursiveMutex, mutex)}: the inner {@code PyMutex}. */
    public static final long RECURSIVE_MUTEX_MUTEX = _PyRecursiveMutex.mutex$offset();
    /** {@code sizeof(_PyRecursiveMutex)}. */
    public static final long RECURSIVE_MUTEX_SIZE = _PyRecursiveMutex.sizeof();

    private Layouts() {
    }
}
