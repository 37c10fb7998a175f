package org.cpylock.binding;

import org.cpylock.CPython;
import org.cpylock.CriticalSection;
import org.cpylock.Flavour;
import org.cpylock.LockFlag;
import org.cpylock.LockStatus;
import org.cpylock.ParkStatus;
import org.cpylock.PyEvent;
import org.cpylock.PyMutex;
import org.cpylock.tck.CriticalSections;
import org.cpylock.tck.Event;
import org.cpylock.tck.Implementation;
import org.cpylock.tck.Mutex;
import org.cpylock.tck.OnceFlag;
import org.cpylock.tck.ParkingLot;
import org.cpylock.tck.RWMutex;
import org.cpylock.tck.RawMutex;
import org.cpylock.tck.RecursiveMutex;
import org.cpylock.tck.SeqLock;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;

/** The conformance suite's view of cpylock's facade, in whichever flavour this JVM loaded. */
public final class CpylockImplementation implements Implementation {
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
    public Mutex newMutex() {
        return new MutexAdapter(new PyMutex());
    }

    @Override
    public Event newEvent() {
        return new EventAdapter(new PyEvent());
    }

    @Override
    public RawMutex newRawMutex() {
        org.cpylock.RawMutex mutex = new org.cpylock.RawMutex();
        return new RawMutex() {
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
    public RWMutex newRWMutex() {
        org.cpylock.RWMutex rw = new org.cpylock.RWMutex();
        return new RWMutex() {
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
    public RecursiveMutex newRecursiveMutex() {
        org.cpylock.RecursiveMutex mutex = new org.cpylock.RecursiveMutex();
        return new RecursiveMutex() {
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
            public int level() {
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
    public SeqLock newSeqLock() {
        org.cpylock.SeqLock lock = new org.cpylock.SeqLock();
        return new SeqLock() {
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
    public OnceFlag newOnceFlag() {
        org.cpylock.OnceFlag flag = new org.cpylock.OnceFlag();
        return new OnceFlag() {
            @Override
            public <X extends Throwable> void callOnce(org.cpylock.OnceFlag.Action<X> action) throws X {
                flag.callOnce(action);
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
    public ParkingLot parkingLot() {
        return PARKING_LOT;
    }

    @Override
    public CriticalSections criticalSections() {
        return CRITICAL_SECTIONS;
    }

    @Override
    public void allowThreads(Runnable action) {
        CPython.allowThreads(action);
    }

    /** The facade's PyMutex behind a suite mutex (for critical sections). */
    static PyMutex unwrap(Mutex mutex) {
        return ((MutexAdapter) mutex).mutex();
    }

    private record MutexAdapter(PyMutex mutex) implements Mutex {
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
        public LockStatus lockTimed(Duration timeout, LockFlag... flags) {
            return mutex.lockTimed(timeout, flags);
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

    private record EventAdapter(PyEvent event) implements Event {
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

    private static final ParkingLot PARKING_LOT = new ParkingLot() {
        @Override
        public Word newWord(int size) {
            return new SegmentWord(Arena.ofAuto().allocate(size, size));
        }

        @Override
        public ParkStatus park(Word word, long expected, Duration timeout, Object parkArg, boolean detach) {
            return org.cpylock.ParkingLot.park(((SegmentWord) word).segment(), expected, word.size(), timeout,
                    parkArg, detach);
        }

        @Override
        public void unpark(Word word, UnparkCallback callback) {
            org.cpylock.ParkingLot.unpark(((SegmentWord) word).segment(), callback::onUnpark);
        }

        @Override
        public void unparkAll(Word word) {
            org.cpylock.ParkingLot.unparkAll(((SegmentWord) word).segment());
        }
    };

    /** A parking-lot word in native memory. */
    private record SegmentWord(MemorySegment segment) implements ParkingLot.Word {
        @Override
        public int size() {
            return (int) segment.byteSize();
        }

        @Override
        public long get() {
            return switch (size()) {
                case 1 -> Byte.toUnsignedLong((byte) handle().getVolatile(segment, 0L));
                case 2 -> Short.toUnsignedLong((short) handle().getVolatile(segment, 0L));
                case 4 -> Integer.toUnsignedLong((int) handle().getVolatile(segment, 0L));
                default -> (long) handle().getVolatile(segment, 0L);
            };
        }

        @Override
        public void set(long value) {
            switch (size()) {
                case 1 -> handle().setVolatile(segment, 0L, (byte) value);
                case 2 -> handle().setVolatile(segment, 0L, (short) value);
                case 4 -> handle().setVolatile(segment, 0L, (int) value);
                default -> handle().setVolatile(segment, 0L, value);
            }
        }

        private VarHandle handle() {
            return switch (size()) {
                case 1 -> ValueLayout.JAVA_BYTE.varHandle();
                case 2 -> ValueLayout.JAVA_SHORT.varHandle();
                case 4 -> ValueLayout.JAVA_INT.varHandle();
                default -> ValueLayout.JAVA_LONG.varHandle();
            };
        }
    }

    private static final CriticalSections CRITICAL_SECTIONS = new CriticalSections() {
        @Override
        public Section begin(Mutex mutex) {
            return new SectionAdapter(CriticalSection.begin(unwrap(mutex)));
        }

        @Override
        public Section begin(Mutex first, Mutex second) {
            return new SectionAdapter(CriticalSection.begin(unwrap(first), unwrap(second)));
        }

        @Override
        public Section top() {
            CriticalSection top = CriticalSection.top();
            return top == null ? null : new SectionAdapter(top);
        }
    };

    private record SectionAdapter(CriticalSection section) implements CriticalSections.Section {
        @Override
        public void end() {
            section.end();
        }
    }
}
