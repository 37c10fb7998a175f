package org.cpylock.internal;


import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The park arguments of threads parked through the facade.
 *
 * <p>C passes a waiter's {@code park_arg} pointer, unread, to the unpark
 * callback. Each thread parks with a pointer to a record of its own, and the
 * Java argument is looked up by that pointer while the thread is parked: no
 * Java object crosses into C. A pointer that is not one of these records (a
 * waiter parked by C code on the same address: a {@code PyMutex} waiter's
 * {@code struct mutex_entry}, say) is handed on as it is, a zero-length
 * segment at that address, without being read.
 *
 * <p>The record is laid out as lock.c's {@code struct mutex_entry}
 * ({@code time_to_be_fair}, {@code handed_off}) with a fairness deadline that
 * never comes, so that if a {@code PyMutex} unlock ever unparks a waiter that
 * parked here, its writes land in the record and hand nothing off.
 */
public final class ParkArguments {
    /** Bytes of a record: {@code struct mutex_entry} is an int64 and an int. */
    static final long RECORD_BYTES = 16;

    private static final Object NULL_ARGUMENT = new Object();
    private static final ConcurrentHashMap<Long, Object> PARKED = new ConcurrentHashMap<>();

    private ParkArguments() {
    }

    /** Prepares a thread's record: a fairness deadline of {@code PyTime_MAX}, nothing handed off, no mark. */
    static void initRecord(MemorySegment record) {
        record.fill((byte) 0);
        record.set(ValueLayout.JAVA_LONG, 0, Long.MAX_VALUE);
    }

    /**
     * {@code _PyParkingLot_Park} for the calling thread, interruptibly (see
     * {@link Interrupts#waitInterruptibly}; a thread that waits in Java parks
     * with {@link VirtualWaiter}), with {@code argument} visible to unpark
     * callbacks while it is parked.
     *
     * @return the {@code Py_PARK_*} code
     */
    public static int park(ThreadState thread, MemorySegment address, long expected, int size, long timeoutNs,
                           Object argument, boolean detach) {
        MemorySegment record = thread.takeRecord();
        Long key = record.address();
        PARKED.put(key, argument == null ? NULL_ARGUMENT : argument);
        try {
            if (ThreadState.waitsInJava()) {
                return thread.virtualWaiter().park(thread, address, expected, size, timeoutNs, record, detach, true);
            }
            if (NativeLibrary.isInterpreter()) {
                return Interrupts.parkBound(address, record, () -> Native.parkingLotPark(
                        thread.segment(), address, expected, size, timeoutNs, record, detach, true));
            }
            return Interrupts.waitInterruptibly(thread, timeoutNs, CPythonConstants.PARK_INTR, timeLeft ->
                    Native.parkingLotPark(thread.segment(), address, expected, size, timeLeft, record, detach, true));
        } finally {
            PARKED.remove(key);
            thread.returnRecord();
        }
    }

    /**
     * The argument of the thread parked with record address {@code parkArg};
     * null for a null pointer; for another pointer, that pointer.
     */
    static Object lookup(long parkArg) {
        if (parkArg == 0) {
            return null;
        }
        Object argument = PARKED.get(parkArg);
        if (argument == null) {
            return MemorySegment.ofAddress(parkArg);
        }
        return argument == NULL_ARGUMENT ? null : argument;
    }
}
