package org.cpylock;

import org.cpylock.api.Flavour;
import org.cpylock.api.Implementation;
import org.cpylock.api.ParkStatus;

import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * The facade as an {@link Implementation}: its classes already implement the
 * primitives' interfaces, so this class only creates them and routes the
 * parking lot and critical sections, which the facade offers as static
 * methods, to those methods.
 */
final class FacadeImplementation implements Implementation {
    static final FacadeImplementation INSTANCE = new FacadeImplementation();

    private static final org.cpylock.api.ParkingLot PARKING_LOT = new org.cpylock.api.ParkingLot() {
        @Override
        public ParkStatus park(MemorySegment address, long expected, int size, Duration timeout, Object parkArg,
                               boolean detach) {
            return ParkingLot.park(address, expected, size, timeout, parkArg, detach);
        }

        @Override
        public void unpark(MemorySegment address, UnparkCallback callback) {
            ParkingLot.unpark(address, callback);
        }

        @Override
        public void unparkAll(MemorySegment address) {
            ParkingLot.unparkAll(address);
        }
    };

    private FacadeImplementation() {
    }

    @Override
    public String name() {
        return "cpylock " + flavour().id();
    }

    @Override
    public Flavour flavour() {
        return CPython.flavour();
    }

    /** Bound to an interpreter, owners are OS threads, as for its Python threads. */
    @Override
    public boolean ownerIsJavaThread() {
        return CPython.interpreter().isEmpty();
    }

    @Override
    public PyMutex newMutex() {
        return new PyMutex();
    }

    @Override
    public PyMutex mutexAt(MemorySegment segment, long offset) {
        return PyMutex.inWord(segment, offset);
    }

    @Override
    public PyEvent newEvent() {
        return new PyEvent();
    }

    @Override
    public RawMutex newRawMutex() {
        return new RawMutex();
    }

    @Override
    public RWMutex newRWMutex() {
        return new RWMutex();
    }

    @Override
    public RecursiveMutex newRecursiveMutex() {
        return new RecursiveMutex();
    }

    @Override
    public SeqLock newSeqLock() {
        return new SeqLock();
    }

    @Override
    public OnceFlag newOnceFlag() {
        return new OnceFlag();
    }

    @Override
    public org.cpylock.api.ParkingLot parkingLot() {
        return PARKING_LOT;
    }

    @Override
    public CriticalSection beginCriticalSection(org.cpylock.api.PyMutex mutex) {
        return CriticalSection.begin(own(mutex));
    }

    @Override
    public CriticalSection beginCriticalSection(org.cpylock.api.PyMutex first, org.cpylock.api.PyMutex second) {
        return CriticalSection.begin(own(first), own(second));
    }

    @Override
    public CriticalSection topCriticalSection() {
        return CriticalSection.top();
    }

    @Override
    public void allowThreads(Runnable action) {
        CPython.allowThreads(action);
    }

    @Override
    public String toString() {
        return name();
    }

    private static PyMutex own(org.cpylock.api.PyMutex mutex) {
        if (mutex == null || mutex instanceof PyMutex) {
            return (PyMutex) mutex;
        }
        throw new IllegalArgumentException("a critical section of cpylock takes cpylock's PyMutex, not "
                + mutex.getClass().getName());
    }
}
