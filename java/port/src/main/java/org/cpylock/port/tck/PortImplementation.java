package org.cpylock.port.tck;

import org.cpylock.port.CriticalSection;
import org.cpylock.port.Flavour;
import org.cpylock.port.LockFlag;
import org.cpylock.port.OnceFlag;
import org.cpylock.port.ParkStatus;
import org.cpylock.port.Port;
import org.cpylock.port.PyEvent;
import org.cpylock.port.PyMutex;
import org.cpylock.port.RWMutex;
import org.cpylock.port.RawMutex;
import org.cpylock.port.RecursiveMutex;
import org.cpylock.port.SeqLock;
import org.cpylock.tck.CriticalSectionsUnderTest;
import org.cpylock.tck.EventUnderTest;
import org.cpylock.tck.Implementation;
import org.cpylock.tck.LockOption;
import org.cpylock.tck.LockResult;
import org.cpylock.tck.MutexUnderTest;
import org.cpylock.tck.OnceAction;
import org.cpylock.tck.OnceFlagUnderTest;
import org.cpylock.tck.ParkResult;
import org.cpylock.tck.ParkingLotUnderTest;
import org.cpylock.tck.RWMutexUnderTest;
import org.cpylock.tck.RawMutexUnderTest;
import org.cpylock.tck.RecursiveMutexUnderTest;
import org.cpylock.tck.SegmentWord;
import org.cpylock.tck.SeqLockUnderTest;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Arrays;

/**
 * The conformance suite's view of the pure-Java port ({@code org.cpylock.port}),
 * in the flavour it is given: one {@link Port} per instance, so one parking lot
 * and one set of thread states per test.
 */
public class PortImplementation implements Implementation {
    private final Port port;

    /**
     * An implementation over a new port.
     *
     * @param flavour the CPython build the port behaves as
     */
    public PortImplementation(Flavour flavour) {
        this.port = Port.of(flavour);
    }

    /**
     * The port behind this implementation.
     *
     * @return the port
     */
    public Port port() {
        return port;
    }

    /** "port-free-threaded" or "port-default": the names {@code -Dcpylock.tck.implementation} selects. */
    @Override
    public String name() {
        return "port-" + (freeThreaded() ? "free-threaded" : "default");
    }

    @Override
    public boolean freeThreaded() {
        return port.flavour() == Flavour.FREE_THREADED;
    }

    /** The port's recursive mutex is owned by the Java thread ({@code Thread.threadId()}). */
    @Override
    public boolean ownerIsJavaThread() {
        return true;
    }

    @Override
    public MutexUnderTest newMutex() {
        return new MutexAdapter(port.newMutex());
    }

    @Override
    public EventUnderTest newEvent() {
        return new EventAdapter(port.newEvent());
    }

    @Override
    public RawMutexUnderTest newRawMutex() {
        RawMutex mutex = port.newRawMutex();
        return new RawMutexUnderTest() {
            @Override
            public MemorySegment segment() {
                return mutex.segment();
            }

            @Override
            public void lock() {
                mutex.lock();
            }

            @Override
            public void unlock() {
                mutex.unlock();
            }

            @Override
            public long bits() {
                return mutex.bits();
            }
        };
    }

    @Override
    public RWMutexUnderTest newRWMutex() {
        RWMutex rw = port.newRWMutex();
        return new RWMutexUnderTest() {
            @Override
            public MemorySegment segment() {
                return rw.segment();
            }

            @Override
            public void rlock() {
                rw.rlock();
            }

            @Override
            public void runlock() {
                rw.runlock();
            }

            @Override
            public void lock() {
                rw.lock();
            }

            @Override
            public void unlock() {
                rw.unlock();
            }

            @Override
            public long bits() {
                return rw.bits();
            }
        };
    }

    @Override
    public RecursiveMutexUnderTest newRecursiveMutex() {
        RecursiveMutex mutex = port.newRecursiveMutex();
        return new RecursiveMutexUnderTest() {
            @Override
            public MemorySegment segment() {
                return mutex.segment();
            }

            @Override
            public void lock() {
                mutex.lock();
            }

            @Override
            public void unlock() {
                mutex.unlock();
            }

            @Override
            public boolean isLockedByCurrentThread() {
                return mutex.isLockedByCurrentThread();
            }

            @Override
            public long level() {
                return mutex.level();
            }

            @Override
            public long owner() {
                return mutex.owner();
            }

            @Override
            public int mutexBits() {
                return mutex.mutex().bits();
            }
        };
    }

    @Override
    public SeqLockUnderTest newSeqLock() {
        SeqLock lock = port.newSeqLock();
        return new SeqLockUnderTest() {
            @Override
            public MemorySegment segment() {
                return lock.segment();
            }

            @Override
            public void lockWrite() {
                lock.lockWrite();
            }

            @Override
            public void unlockWrite() {
                lock.unlockWrite();
            }

            @Override
            public void abandonWrite() {
                lock.abandonWrite();
            }

            @Override
            public int beginRead() {
                return lock.beginRead();
            }

            @Override
            public boolean endRead(int sequence) {
                return lock.endRead(sequence);
            }

            @Override
            public boolean afterFork() {
                return lock.afterFork();
            }

            @Override
            public int sequence() {
                return lock.sequence();
            }
        };
    }

    @Override
    public OnceFlagUnderTest newOnceFlag() {
        OnceFlag flag = port.newOnceFlag();
        return new OnceFlagUnderTest() {
            @Override
            public MemorySegment segment() {
                return flag.segment();
            }

            @Override
            public <X extends Throwable> void callOnce(OnceAction<X> action) throws X {
                flag.callOnce(action::run);
            }

            @Override
            public boolean isDone() {
                return flag.isDone();
            }

            @Override
            public int bits() {
                return flag.bits();
            }
        };
    }

    @Override
    public ParkingLotUnderTest parkingLot() {
        return parkingLot;
    }

    @Override
    public CriticalSectionsUnderTest criticalSections() {
        return criticalSections;
    }

    @Override
    public void allowThreads(Runnable action) {
        port.allowThreads(action);
    }

    /** The port's mutex behind a suite mutex (for critical sections). */
    static PyMutex unwrap(MutexUnderTest mutex) {
        return ((MutexAdapter) mutex).mutex();
    }

    /** The suite's options and results are the port's under the same names. */
    private static LockFlag[] toPort(LockOption... options) {
        return Arrays.stream(options).map(option -> LockFlag.valueOf(option.name()))
                .toArray(LockFlag[]::new);
    }

    private record MutexAdapter(PyMutex mutex) implements MutexUnderTest {
        @Override
        public MemorySegment segment() {
            return mutex.segment();
        }

        @Override
        public void lock() {
            mutex.lock();
        }

        @Override
        public void unlock() {
            mutex.unlock();
        }

        @Override
        public boolean tryLock() {
            return mutex.tryLock();
        }

        @Override
        public LockResult lockTimed(Duration timeout, LockOption... options) {
            return LockResult.valueOf(mutex.lockTimed(timeout, toPort(options)).name());
        }

        @Override
        public boolean isLocked() {
            return mutex.isLocked();
        }

        @Override
        public int bits() {
            return mutex.bits();
        }
    }

    private record EventAdapter(PyEvent event) implements EventUnderTest {
        @Override
        public MemorySegment segment() {
            return event.segment();
        }

        @Override
        public void set() {
            event.set();
        }

        @Override
        public boolean isSet() {
            return event.isSet();
        }

        @Override
        public void await() {
            event.await();
        }

        @Override
        public boolean await(Duration timeout) {
            return event.await(timeout);
        }

        @Override
        public boolean await(Duration timeout, boolean detach) {
            return event.await(timeout, detach);
        }

        @Override
        public int bits() {
            return event.bits();
        }
    }

    private final ParkingLotUnderTest parkingLot = new ParkingLotUnderTest() {
        @Override
        public Word newWord(int size) {
            return SegmentWord.allocate(size);
        }

        @Override
        public ParkResult park(Word word, long expected, Duration timeout, Object parkArg,
                                           boolean detach) {
            ParkStatus status = port.parkingLot().park(SegmentWord.segmentOf(word), expected,
                    word.size(), timeout, parkArg, detach);
            return ParkResult.valueOf(status.name());
        }

        @Override
        public void unpark(Word word, UnparkCallback callback) {
            port.parkingLot().unpark(SegmentWord.segmentOf(word), callback::onUnpark);
        }

        @Override
        public void unparkAll(Word word) {
            port.parkingLot().unparkAll(SegmentWord.segmentOf(word));
        }
    };

    private final CriticalSectionsUnderTest criticalSections = new CriticalSectionsUnderTest() {
        @Override
        public Section begin(MutexUnderTest mutex) {
            return new SectionAdapter(port.beginCriticalSection(unwrap(mutex)));
        }

        @Override
        public Section begin(MutexUnderTest first, MutexUnderTest second) {
            return new SectionAdapter(port.beginCriticalSection(unwrap(first), unwrap(second)));
        }

        @Override
        public Section top() {
            CriticalSection top = port.topCriticalSection();
            return top == null ? null : new SectionAdapter(top);
        }
    };

    private record SectionAdapter(CriticalSection section) implements CriticalSectionsUnderTest.Section {
        @Override
        public void end() {
            section.end();
        }
    }

    /** The free-threaded port as a {@code ServiceLoader} service of {@link Implementation}. */
    public static final class FreeThreaded extends PortImplementation {
        /** A new free-threaded port. */
        public FreeThreaded() {
            super(Flavour.FREE_THREADED);
        }
    }

    /** The default-build port as a {@code ServiceLoader} service of {@link Implementation}. */
    public static final class Default extends PortImplementation {
        /** A new default-build port. */
        public Default() {
            super(Flavour.DEFAULT);
        }
    }
}
