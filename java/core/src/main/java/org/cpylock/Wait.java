package org.cpylock;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A thread waiting inside cpylock, as {@link CPython#waits()} reports it.
 *
 * @param thread      the waiting thread
 * @param primitive   what it waits on
 * @param address     the address of the state word it waits on
 * @param stateWord   that word's value when the snapshot was taken
 * @param flags       what else describes the wait
 * @param waited      how long it has waited
 * @param alsoWaiting the other threads waiting on the same address
 */
public record Wait(Thread thread, Primitive primitive, long address, long stateWord, Set<Flag> flags, Duration waited,
                   List<Thread> alsoWaiting) {

    /** What a thread waits on; {@link #toString()} is the facade class's simple name. */
    public enum Primitive {
        /** {@link PyMutex#lock()} and its timed and interruptible forms. */
        PY_MUTEX("PyMutex"),
        /** {@link RawMutex#lock()}. */
        RAW_MUTEX("RawMutex"),
        /** {@link RWMutex}'s read and write locks. */
        RW_MUTEX("RWMutex"),
        /** {@link RecursiveMutex#lock()}. */
        RECURSIVE_MUTEX("RecursiveMutex"),
        /** {@link SeqLock}'s writers, and readers waiting out a write. */
        SEQ_LOCK("SeqLock"),
        /** {@link PyEvent#await()} and its timed form. */
        PY_EVENT("PyEvent"),
        /** {@link OnceFlag#callOnce} waiting for another thread's action. */
        ONCE_FLAG("OnceFlag"),
        /** {@link ParkingLot#park}. */
        PARKING_LOT("ParkingLot"),
        /** A contended {@link CriticalSection#begin}. */
        CRITICAL_SECTION("CriticalSection");

        private final String className;

        Primitive(String className) {
            this.className = className;
        }

        @Override
        public String toString() {
            return className;
        }
    }

    /** What else describes a wait. */
    public enum Flag {
        /** CPython's {@code _PY_LOCK_DETACH}: the thread state is detached while the thread waits. */
        DETACH,
        /** CPython's {@code _PY_LOCK_HANDLE_SIGNALS}: an interrupt ends the wait. */
        HANDLE_SIGNALS,
        /** The wait has a timeout. */
        TIMED,
        /** A reader's wait ({@link RWMutex}, {@link SeqLock}). */
        READ,
        /** A writer's wait ({@link RWMutex}, {@link SeqLock}). */
        WRITE
    }
}
