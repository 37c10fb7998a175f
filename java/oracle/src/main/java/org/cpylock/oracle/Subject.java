package org.cpylock.oracle;

import org.cpylock.api.CriticalSection;
import org.cpylock.api.Implementation;
import org.cpylock.api.LockFlag;
import org.cpylock.api.OnceFlag;
import org.cpylock.api.PyEvent;
import org.cpylock.api.PyMutex;
import org.cpylock.api.RWMutex;
import org.cpylock.api.RawMutex;
import org.cpylock.api.RecursiveMutex;
import org.cpylock.api.SeqLock;
import org.cpylock.tck.SegmentWord;
import org.cpylock.tck.WordLot;

import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * One implementation's primitives for one program: applies its steps and
 * describes its state words. Outcomes and states are strings, so that the
 * two sides of a comparison are compared, and reported, as text.
 */
abstract sealed class Subject {
    /**
     * Fresh primitives of the program's kind, from {@code implementation}.
     *
     * @param implementation where the primitives come from
     * @param program        the program about to run
     * @return the subject
     */
    static Subject of(Implementation implementation, Program program) {
        Subject subject = switch (program.primitive()) {
            case MUTEX -> new Mutex(implementation.newMutex());
            case RAW_MUTEX -> new Raw(implementation.newRawMutex());
            case RECURSIVE_MUTEX -> new Recursive(implementation.newRecursiveMutex());
            case RW_MUTEX -> new ReadWrite(implementation.newRWMutex());
            case SEQ_LOCK -> new Sequence(implementation.newSeqLock());
            case ONCE_FLAG -> new Once(implementation.newOnceFlag());
            case EVENT -> new Event(implementation.newEvent());
            case PARKING_LOT -> new Lot(new WordLot(implementation.parkingLot()), program.wordSize());
            case CRITICAL_SECTIONS -> new Sections(implementation);
        };
        subject.start(program.initialWord());
        return subject;
    }

    /** Stores the program's initial state word, before any step and any other thread (0: as made). */
    void start(long initialWord) {
        if (initialWord != 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " starts from 0 only");
        }
    }

    /**
     * Whether {@code step} would wait for another thread now (only asked of
     * the reference, for operations that {@link Op#parks()}); false for a
     * primitive whose programs never wait (one thread cannot wait on itself).
     */
    boolean wouldPark(Step step) {
        return false;
    }

    /** Runs the step; what it returns describes its result ("" for none). */
    abstract String apply(Step step);

    /** The state words, as text. */
    abstract String state();

    /** Leaves the thread as the program found it (critical sections ended). */
    void close() {
    }

    private static final class Mutex extends Subject {
        private final PyMutex mutex;

        Mutex(PyMutex mutex) {
            this.mutex = mutex;
        }

        @Override
        boolean wouldPark(Step step) {
            return mutex.isLocked();
        }

        @Override
        String apply(Step step) {
            return switch (step.op()) {
                case MUTEX_LOCK -> {
                    mutex.lock();
                    yield "";
                }
                case MUTEX_UNLOCK -> {
                    mutex.unlock();
                    yield "";
                }
                case MUTEX_TRY_LOCK -> String.valueOf(mutex.tryLock());
                case MUTEX_LOCK_ZERO_TIMEOUT_DETACH -> String.valueOf(mutex.lockTimed(Duration.ZERO, LockFlag.DETACH));
                case MUTEX_LOCK_ZERO_TIMEOUT_SIGNALS ->
                        String.valueOf(mutex.lockTimed(Duration.ZERO, LockFlag.HANDLE_SIGNALS));
                default -> throw new IllegalArgumentException(step.toString());
            };
        }

        @Override
        String state() {
            return "bits=" + mutex.bits();
        }
    }

    private static final class Raw extends Subject {
        private final RawMutex mutex;

        Raw(RawMutex mutex) {
            this.mutex = mutex;
        }

        @Override
        boolean wouldPark(Step step) {
            return mutex.bits() != 0;
        }

        @Override
        String apply(Step step) {
            switch (step.op()) {
                case RAW_LOCK -> mutex.lock();
                case RAW_UNLOCK -> mutex.unlock();
                default -> throw new IllegalArgumentException(step.toString());
            }
            return "";
        }

        @Override
        String state() {
            return "v=" + mutex.bits();
        }
    }

    private static final class Recursive extends Subject {
        private final RecursiveMutex mutex;

        Recursive(RecursiveMutex mutex) {
            this.mutex = mutex;
        }

        @Override
        String apply(Step step) {
            switch (step.op()) {
                case RECURSIVE_LOCK -> mutex.lock();
                case RECURSIVE_UNLOCK -> mutex.unlock();
                default -> throw new IllegalArgumentException(step.toString());
            }
            return "";
        }

        /** The owner word is a thread identity, which differs between implementations: whether there is one. */
        @Override
        String state() {
            return "owned=" + (mutex.owner() != 0) + " mine=" + mutex.isLockedByCurrentThread()
                    + " level=" + mutex.level() + " mutex=" + mutex.mutex().bits();
        }
    }

    private static final class ReadWrite extends Subject {
        private final RWMutex rw;

        ReadWrite(RWMutex rw) {
            this.rw = rw;
        }

        @Override
        void start(long initialWord) {
            rw.segment().set(ValueLayout.JAVA_LONG, 0, initialWord);
        }

        /** Readers wait for a writer (bit 0) or a parked one (bit 1); a writer for anyone. */
        @Override
        boolean wouldPark(Step step) {
            return step.op() == Op.RW_RLOCK ? (rw.bits() & 3) != 0 : rw.bits() != 0;
        }

        @Override
        String apply(Step step) {
            switch (step.op()) {
                case RW_RLOCK -> rw.rlock();
                case RW_RUNLOCK -> rw.runlock();
                case RW_LOCK -> rw.lock();
                case RW_UNLOCK -> rw.unlock();
                default -> throw new IllegalArgumentException(step.toString());
            }
            return "";
        }

        @Override
        String state() {
            return "bits=" + rw.bits();
        }
    }

    private static final class Sequence extends Subject {
        private final SeqLock lock;
        private int lastRead;

        Sequence(SeqLock lock) {
            this.lock = lock;
        }

        @Override
        void start(long initialWord) {
            lock.segment().set(ValueLayout.JAVA_INT, 0, (int) initialWord);
        }

        /** Writers and readers both wait while the sequence is odd. */
        @Override
        boolean wouldPark(Step step) {
            return (lock.sequence() & 1) != 0;
        }

        @Override
        String apply(Step step) {
            return switch (step.op()) {
                case SEQ_LOCK_WRITE -> {
                    lock.lockWrite();
                    yield "";
                }
                case SEQ_UNLOCK_WRITE -> {
                    lock.unlockWrite();
                    yield "";
                }
                case SEQ_ABANDON_WRITE -> {
                    lock.abandonWrite();
                    yield "";
                }
                case SEQ_BEGIN_READ -> {
                    lastRead = lock.beginRead();
                    yield String.valueOf(lastRead);
                }
                case SEQ_END_READ -> String.valueOf(lock.endRead(lastRead));
                case SEQ_END_READ_OTHER -> String.valueOf(lock.endRead(lastRead + 1 + step.argument() % 2));
                case SEQ_AFTER_FORK -> String.valueOf(lock.afterFork());
                default -> throw new IllegalArgumentException(step.toString());
            };
        }

        @Override
        String state() {
            return "sequence=" + lock.sequence();
        }
    }

    private static final class Once extends Subject {
        private final OnceFlag flag;

        Once(OnceFlag flag) {
            this.flag = flag;
        }

        @Override
        String apply(Step step) {
            boolean[] ran = new boolean[1];
            boolean fail = step.op() == Op.ONCE_FAIL;
            flag.callOnce(() -> {
                ran[0] = true;
                if (fail) {
                    throw new IllegalStateException("the action fails");
                }
            });
            return "ran=" + ran[0];
        }

        @Override
        String state() {
            return "v=" + flag.bits() + " done=" + flag.isDone();
        }
    }

    private static final class Event extends Subject {
        private final PyEvent event;

        Event(PyEvent event) {
            this.event = event;
        }

        @Override
        String apply(Step step) {
            return switch (step.op()) {
                case EVENT_SET -> {
                    event.set();
                    yield "";
                }
                case EVENT_IS_SET -> String.valueOf(event.isSet());
                case EVENT_AWAIT_ZERO -> String.valueOf(event.await(Duration.ZERO));
                default -> throw new IllegalArgumentException(step.toString());
            };
        }

        @Override
        String state() {
            return "v=" + event.bits();
        }
    }

    private static final class Lot extends Subject {
        private final WordLot lot;
        private final SegmentWord word;

        Lot(WordLot lot, int size) {
            this.lot = lot;
            this.word = lot.newWord(size);
        }

        @Override
        void start(long initialWord) {
            word.set(initialWord);
        }

        @Override
        String apply(Step step) {
            return switch (step.op()) {
                case PARK_DIFFERENT -> {
                    long flipped = word.get() ^ (1L << (8 * (step.argument() % word.size())));
                    yield String.valueOf(lot.park(word, flipped, Duration.ZERO, "arg", false));
                }
                case PARK_SAME_ZERO_TIMEOUT -> String.valueOf(lot.park(word, word.get(), Duration.ZERO, "arg", false));
                case UNPARK -> {
                    StringBuilder seen = new StringBuilder();
                    lot.unpark(word, (arg, more) -> seen.append("arg=").append(arg).append(" more=").append(more));
                    yield seen.toString();
                }
                case UNPARK_ALL -> {
                    lot.unparkAll(word);
                    yield "";
                }
                case WORD_SET -> {
                    word.set(step.argument() * 0x0101010101010101L);
                    yield "";
                }
                default -> throw new IllegalArgumentException(step.toString());
            };
        }

        @Override
        String state() {
            return "word=0x" + Long.toHexString(word.get());
        }
    }

    private static final class Sections extends Subject {
        private final Implementation implementation;
        private final PyMutex[] mutexes;
        private final Deque<CriticalSection> begun = new ArrayDeque<>();

        Sections(Implementation implementation) {
            this.implementation = implementation;
            this.mutexes = new PyMutex[]{implementation.newMutex(), implementation.newMutex(),
                    implementation.newMutex()};
        }

        @Override
        String apply(Step step) {
            int a = step.argument();
            switch (step.op()) {
                case SECTION_BEGIN -> begun.push(implementation.beginCriticalSection(mutexes[a % 3]));
                case SECTION_BEGIN2 -> begun.push(implementation.beginCriticalSection(mutexes[a % 3], mutexes[a / 3 % 3]));
                case SECTION_END -> {
                    if (begun.isEmpty()) {
                        return "none begun";
                    }
                    begun.peek().end();
                    begun.pop();
                }
                case SECTION_END_OUTER -> {
                    if (begun.size() < 2) {
                        return "no outer section";
                    }
                    Iterator<CriticalSection> it = begun.iterator();
                    it.next();
                    it.next().end();
                }
                case SECTION_ALLOW_THREADS -> {
                    String[] inside = new String[1];
                    implementation.allowThreads(() -> inside[0] = bytes());
                    return "detached: " + inside[0];
                }
                case SECTION_TRY_LOCK_DETACH -> {
                    PyMutex mutex = mutexes[a % 3];
                    String result = String.valueOf(mutex.lockTimed(Duration.ZERO, LockFlag.DETACH));
                    String during = state();
                    if (result.equals("ACQUIRED")) {
                        mutex.unlock();
                    }
                    return result + " " + during;
                }
                default -> throw new IllegalArgumentException(step.toString());
            }
            return "";
        }

        @Override
        String state() {
            return bytes() + " top=" + (implementation.topCriticalSection() != null);
        }

        /** The mutexes' bytes (all that is compared while detached, where no section is current). */
        private String bytes() {
            return "m0=" + mutexes[0].bits() + " m1=" + mutexes[1].bits() + " m2=" + mutexes[2].bits();
        }

        @Override
        void close() {
            while (!begun.isEmpty()) {
                try {
                    begun.pop().end();
                } catch (RuntimeException alreadyEnded) {
                    // a section a mismatched end already ended; the rest still end
                }
            }
        }
    }
}
