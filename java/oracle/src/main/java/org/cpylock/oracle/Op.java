package org.cpylock.oracle;

import java.util.Arrays;
import java.util.List;

/**
 * An operation of a sequential program. Those with {@link #parks()} would
 * wait for another thread when the state word says the primitive is taken;
 * there is no other thread, so the oracle does not run them then (see
 * {@link Oracle}).
 */
public enum Op {
    /** {@code PyMutex_Lock}. */
    MUTEX_LOCK(Primitive.MUTEX, true),
    /** {@code PyMutex_Unlock}. */
    MUTEX_UNLOCK(Primitive.MUTEX, false),
    /** {@code _PyMutex_LockTimed(m, 0, 0)} through tryLock. */
    MUTEX_TRY_LOCK(Primitive.MUTEX, false),
    /** {@code _PyMutex_LockTimed(m, 0, _PY_LOCK_DETACH)}. */
    MUTEX_LOCK_ZERO_TIMEOUT_DETACH(Primitive.MUTEX, false),
    /** {@code _PyMutex_LockTimed(m, 0, _PY_LOCK_HANDLE_SIGNALS)}. */
    MUTEX_LOCK_ZERO_TIMEOUT_SIGNALS(Primitive.MUTEX, false),

    /** {@code _PyRawMutex_Lock}. */
    RAW_LOCK(Primitive.RAW_MUTEX, true),
    /** {@code _PyRawMutex_Unlock}. */
    RAW_UNLOCK(Primitive.RAW_MUTEX, false),

    /** {@code _PyRecursiveMutex_Lock}. */
    RECURSIVE_LOCK(Primitive.RECURSIVE_MUTEX, false),
    /** {@code _PyRecursiveMutex_Unlock}. */
    RECURSIVE_UNLOCK(Primitive.RECURSIVE_MUTEX, false),

    /** {@code _PyRWMutex_RLock}. */
    RW_RLOCK(Primitive.RW_MUTEX, true),
    /** {@code _PyRWMutex_RUnlock}. */
    RW_RUNLOCK(Primitive.RW_MUTEX, false),
    /** {@code _PyRWMutex_Lock}. */
    RW_LOCK(Primitive.RW_MUTEX, true),
    /** {@code _PyRWMutex_Unlock}. */
    RW_UNLOCK(Primitive.RW_MUTEX, false),

    /** {@code _PySeqLock_LockWrite}. */
    SEQ_LOCK_WRITE(Primitive.SEQ_LOCK, true),
    /** {@code _PySeqLock_UnlockWrite}. */
    SEQ_UNLOCK_WRITE(Primitive.SEQ_LOCK, false),
    /** {@code _PySeqLock_AbandonWrite}. */
    SEQ_ABANDON_WRITE(Primitive.SEQ_LOCK, false),
    /** {@code _PySeqLock_BeginRead}; the program keeps the sequence it returns. */
    SEQ_BEGIN_READ(Primitive.SEQ_LOCK, true),
    /** {@code _PySeqLock_EndRead} with the sequence of the last begin (0 before any). */
    SEQ_END_READ(Primitive.SEQ_LOCK, false),
    /** {@code _PySeqLock_EndRead} with the last begin's sequence plus the argument (1 or 2). */
    SEQ_END_READ_OTHER(Primitive.SEQ_LOCK, false),
    /** {@code _PySeqLock_AfterFork}. */
    SEQ_AFTER_FORK(Primitive.SEQ_LOCK, false),

    /** {@code _PyOnceFlag_CallOnce} with an action that succeeds. */
    ONCE_SUCCEED(Primitive.ONCE_FLAG, false),
    /** {@code _PyOnceFlag_CallOnce} with an action that fails. */
    ONCE_FAIL(Primitive.ONCE_FLAG, false),

    /** {@code _PyEvent_Notify}. */
    EVENT_SET(Primitive.EVENT, false),
    /** {@code _PyEvent_IsSet}. */
    EVENT_IS_SET(Primitive.EVENT, false),
    /** {@code PyEvent_WaitTimed} with a zero timeout. */
    EVENT_AWAIT_ZERO(Primitive.EVENT, false),

    /** {@code _PyParkingLot_Park} expecting the word's value with the argument's byte flipped (zero timeout). */
    PARK_DIFFERENT(Primitive.PARKING_LOT, false),
    /** {@code _PyParkingLot_Park} expecting the word's value, with a zero timeout. */
    PARK_SAME_ZERO_TIMEOUT(Primitive.PARKING_LOT, false),
    /** {@code _PyParkingLot_Unpark} (nobody is parked). */
    UNPARK(Primitive.PARKING_LOT, false),
    /** {@code _PyParkingLot_UnparkAll} (nobody is parked). */
    UNPARK_ALL(Primitive.PARKING_LOT, false),
    /** Stores the argument times 0x0101010101010101, cut to the word's size. */
    WORD_SET(Primitive.PARKING_LOT, false),

    /** {@code Py_BEGIN_CRITICAL_SECTION} on mutex {@code argument % 3}. */
    SECTION_BEGIN(Primitive.CRITICAL_SECTIONS, false),
    /** {@code Py_BEGIN_CRITICAL_SECTION2} on mutexes {@code argument % 3} and {@code argument / 3 % 3} (maybe the same). */
    SECTION_BEGIN2(Primitive.CRITICAL_SECTIONS, false),
    /** {@code Py_END_CRITICAL_SECTION} of the innermost section the program began. */
    SECTION_END(Primitive.CRITICAL_SECTIONS, false),
    /** Ends the section below the innermost one: a mismatched end. */
    SECTION_END_OUTER(Primitive.CRITICAL_SECTIONS, false),
    /** {@code Py_BEGIN_ALLOW_THREADS}: detaches; the outcome is the mutexes' bytes while detached. */
    SECTION_ALLOW_THREADS(Primitive.CRITICAL_SECTIONS, false),
    /** A zero-timeout lock with {@code _PY_LOCK_DETACH} of mutex {@code argument % 3}, unlocked again if taken. */
    SECTION_TRY_LOCK_DETACH(Primitive.CRITICAL_SECTIONS, false);

    private final Primitive primitive;
    private final boolean parks;

    Op(Primitive primitive, boolean parks) {
        this.primitive = primitive;
        this.parks = parks;
    }

    /**
     * The primitive this operation acts on.
     *
     * @return the primitive
     */
    public Primitive primitive() {
        return primitive;
    }

    /**
     * Whether this operation waits when the primitive is taken.
     *
     * @return true for the acquiring operations that park
     */
    public boolean parks() {
        return parks;
    }

    /**
     * The operations of one primitive's programs.
     *
     * @param primitive the primitive
     * @return its operations, in declaration order
     */
    public static List<Op> of(Primitive primitive) {
        return Arrays.stream(values()).filter(op -> op.primitive == primitive).toList();
    }
}
