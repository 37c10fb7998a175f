package org.cpylock.oracle;

import org.cpylock.CPython;
import org.cpylock.CriticalSection;
import org.cpylock.Flavour;
import org.cpylock.LockFlag;
import org.cpylock.LockStatus;
import org.cpylock.OnceFlag;
import org.cpylock.ParkStatus;
import org.cpylock.ParkingLot;
import org.cpylock.PyEvent;
import org.cpylock.PyMutex;
import org.cpylock.RWMutex;
import org.cpylock.RawMutex;
import org.cpylock.RecursiveMutex;
import org.cpylock.SeqLock;
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

/**
 * CPython's own C code, through cpylock's facade, as the conformance suite and
 * the oracle see it: the reference, in whichever flavour (and backend) this
 * JVM loaded.
 */
public final class CPythonImplementation implements Implementation {
    /** The reference; every instance shares the JVM's one cpylock. */
    public CPythonImplementation() {
    }

    @Override
    public String name() {
        return "cpylock " + CPython.flavour().id();
    }

    @Override
    public boolean freeThreaded() {
        return CPython.flavour() == Flavour.FREE_THREADED;
    }

    /** Bound to an interpreter, owners are OS threads, as for its Python threads. */
    @Override
    public boolean ownerIsJavaThread() {
        return CPython.interpreter().isEmpty();
    }

    @Override
    public MutexUnderTest newMutex() {
        return new MutexAdapter(new PyMutex());
    }

    @Override
    public EventUnderTest newEvent() {
        return new EventAdapter(new PyEvent());
    }

    @Override
    public RawMutexUnderTest newRawMutex() {
        RawMutex mutex = new RawMutex();
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
        RWMutex rw = new RWMutex();
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
        RecursiveMutex mutex = new RecursiveMutex();
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
        SeqLock lock = new SeqLock();
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
        OnceFlag flag = new OnceFlag();
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
        return PARKING_LOT;
    }

    @Override
    public CriticalSectionsUnderTest criticalSections() {
        return CRITICAL_SECTIONS;
    }

    @Override
    public void allowThreads(Runnable action) {
        CPython.allowThreads(action);
    }

    /** The facade's PyMutex behind a suite mutex (for critical sections). */
    static PyMutex unwrap(MutexUnderTest mutex) {
        return ((MutexAdapter) mutex).mutex();
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
            LockFlag[] flags = new LockFlag[options.length];
            for (int i = 0; i < options.length; i++) {
                flags[i] = switch (options[i]) {
                    case DETACH -> LockFlag.DETACH;
                    case HANDLE_SIGNALS -> LockFlag.HANDLE_SIGNALS;
                };
            }
            LockStatus status = mutex.lockTimed(timeout, flags);
            return switch (status) {
                case ACQUIRED -> LockResult.ACQUIRED;
                case FAILURE -> LockResult.FAILURE;
                case INTERRUPTED -> LockResult.INTERRUPTED;
            };
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

    private static final ParkingLotUnderTest PARKING_LOT = new ParkingLotUnderTest() {
        @Override
        public Word newWord(int size) {
            return SegmentWord.allocate(size);
        }

        @Override
        public ParkResult park(Word word, long expected, Duration timeout, Object parkArg, boolean detach) {
            ParkStatus status = ParkingLot.park(SegmentWord.segmentOf(word), expected, word.size(), timeout,
                    parkArg, detach);
            return switch (status) {
                case OK -> ParkResult.OK;
                case AGAIN -> ParkResult.AGAIN;
                case TIMEOUT -> ParkResult.TIMEOUT;
                case INTERRUPTED -> ParkResult.INTERRUPTED;
            };
        }

        @Override
        public void unpark(Word word, UnparkCallback callback) {
            ParkingLot.unpark(SegmentWord.segmentOf(word), callback::onUnpark);
        }

        @Override
        public void unparkAll(Word word) {
            ParkingLot.unparkAll(SegmentWord.segmentOf(word));
        }
    };

    private static final CriticalSectionsUnderTest CRITICAL_SECTIONS = new CriticalSectionsUnderTest() {
        @Override
        public Section begin(MutexUnderTest mutex) {
            return new SectionAdapter(CriticalSection.begin(unwrap(mutex)));
        }

        @Override
        public Section begin(MutexUnderTest first, MutexUnderTest second) {
            return new SectionAdapter(CriticalSection.begin(unwrap(first), unwrap(second)));
        }

        @Override
        public Section top() {
            CriticalSection top = CriticalSection.top();
            return top == null ? null : new SectionAdapter(top);
        }
    };

    private record SectionAdapter(CriticalSection section) implements CriticalSectionsUnderTest.Section {
        @Override
        public void end() {
            section.end();
        }
    }
}
