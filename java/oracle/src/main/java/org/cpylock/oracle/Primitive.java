package org.cpylock.oracle;

/** The primitives whose sequential programs the oracle runs. */
public enum Primitive {
    /** {@code PyMutex}. */
    MUTEX,
    /** {@code _PyRawMutex}. */
    RAW_MUTEX,
    /** {@code _PyRecursiveMutex}. */
    RECURSIVE_MUTEX,
    /** {@code _PyRWMutex}. */
    RW_MUTEX,
    /** {@code _PySeqLock}. */
    SEQ_LOCK,
    /** {@code _PyOnceFlag}. */
    ONCE_FLAG,
    /** {@code PyEvent}. */
    EVENT,
    /** The parking lot, on a word of 1, 2, 4 or 8 bytes. */
    PARKING_LOT,
    /** Critical sections over three mutexes. */
    CRITICAL_SECTIONS
}
