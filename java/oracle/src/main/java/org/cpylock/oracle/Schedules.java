package org.cpylock.oracle;

import org.cpylock.api.InMemory;
import org.cpylock.api.LockFlag;
import org.cpylock.tck.SegmentWord;

import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * The concurrent schedules the oracle runs: the behaviours that only show
 * with threads waiting on each other.
 */
public final class Schedules {
    /** A negative timeout: wait until acquired. */
    private static final Duration FOREVER = Duration.ofNanos(-1);
    /** Past CPython's TIME_TO_BE_FAIR_NS (1 ms), and well short of the 10 ms a porter might write. */
    private static final long PAST_FAIRNESS_MILLIS = 3;

    private static final List<Schedule> ALL = List.of(
            Schedule.of(Primitive.MUTEX, "an unlock hands the mutex to a waiter that has waited 1 ms", 2)
                    .then(0, "lock m0", lock(0))
                    .then(1, "lock m0", lock(0))
                    .thenAfter(0, PAST_FAIRNESS_MILLIS, "unlock m0", unlock(0))
                    .then(1, "unlock m0", unlock(0)),
            Schedule.of(Primitive.MUTEX, "an unlock does not hand the mutex to a waiter that has waited less than 1 ms", 2)
                    .then(0, "lock m0", lock(0))
                    .then(1, "lock m0", lock(0))
                    .thenAtOnce(0, "unlock m0, then tryLock m0", unlockThenTakeBack(0))
                    .then(0, "unlock m0", unlock(0))
                    .then(1, "unlock m0", unlock(0)),
            Schedule.of(Primitive.MUTEX, "a hand-off with waiters left keeps the has-parked bit; the last one clears it", 3)
                    .then(0, "lock m0", lock(0))
                    .then(1, "lock m0", lock(0))
                    .then(2, "lock m0", lock(0))
                    .pause(PAST_FAIRNESS_MILLIS)
                    .then(0, "unlock m0", unlock(0))
                    .then(1, "unlock m0", unlock(0))
                    .then(2, "unlock m0", unlock(0)),
            Schedule.of(Primitive.MUTEX, "a waiter woken without the mutex parks again, has-parked bit set", 3)
                    .then(0, "lock m0", lock(0))
                    .then(1, "lock m0", lock(0))
                    .then(2, "stray unparkAll of m0", strayWakeUp(f -> f.mutex(0)))
                    .then(2, "stray unparkAll of m0", strayWakeUp(f -> f.mutex(0)))
                    .then(0, "unlock m0", unlock(0))
                    .then(1, "unlock m0", unlock(0)),
            Schedule.of(Primitive.RW_MUTEX, "a reader woken early behind a writer parks again", 3)
                    .then(0, "lock", rw(Op.RW_LOCK))
                    .then(1, "rlock", rw(Op.RW_RLOCK))
                    .then(2, "stray unparkAll of the lock", strayWakeUp(Fixture::rw))
                    .then(0, "unlock", rw(Op.RW_UNLOCK))
                    .then(1, "runlock", rw(Op.RW_RUNLOCK)),
            Schedule.of(Primitive.RW_MUTEX, "a writer woken early behind a reader parks again", 3)
                    .then(0, "rlock", rw(Op.RW_RLOCK))
                    .then(1, "lock", rw(Op.RW_LOCK))
                    .then(2, "stray unparkAll of the lock", strayWakeUp(Fixture::rw))
                    .then(0, "runlock", rw(Op.RW_RUNLOCK))
                    .then(1, "unlock", rw(Op.RW_UNLOCK)),
            Schedule.of(Primitive.EVENT, "a waiter woken before the event is set waits on", 2)
                    .then(0, "await", awaitEvent())
                    .then(1, "stray unparkAll of the event", strayWakeUp(Fixture::event))
                    .then(1, "set", (f, t) -> {
                        f.event().set();
                        return "isSet=" + f.event().isSet();
                    }),
            Schedule.of(Primitive.RW_MUTEX, "a parked writer keeps new readers out; the last reader wakes it", 3)
                    .then(0, "rlock", rw(Op.RW_RLOCK))
                    .then(1, "lock", rw(Op.RW_LOCK))
                    .then(2, "rlock", rw(Op.RW_RLOCK))
                    .then(0, "runlock", rw(Op.RW_RUNLOCK))
                    .then(1, "unlock", rw(Op.RW_UNLOCK))
                    .then(2, "runlock", rw(Op.RW_RUNLOCK)),
            Schedule.of(Primitive.RW_MUTEX, "a writer's unlock wakes every parked reader", 3)
                    .then(0, "lock", rw(Op.RW_LOCK))
                    .then(1, "rlock", rw(Op.RW_RLOCK))
                    .then(2, "rlock", rw(Op.RW_RLOCK))
                    .then(0, "unlock", rw(Op.RW_UNLOCK))
                    .then(1, "runlock", rw(Op.RW_RUNLOCK))
                    .then(2, "runlock", rw(Op.RW_RUNLOCK)),
            Schedule.of(Primitive.PARKING_LOT, "unpark wakes the waiters in the order they parked, and says whether more wait", 4)
                    .then(0, "park", park())
                    .then(1, "park", park())
                    .then(2, "park", park())
                    .then(3, "unpark", unpark())
                    .then(3, "unpark", unpark())
                    .then(3, "unpark", unpark())
                    .then(3, "unpark", unpark()),
            Schedule.of(Primitive.PARKING_LOT, "unparkAll wakes every waiter", 3)
                    .then(0, "park", park())
                    .then(1, "park", park())
                    .then(2, "unparkAll", (f, t) -> {
                        f.lot().unparkAll(f.word());
                        return "";
                    }),
            Schedule.of(Primitive.EVENT, "setting an event wakes every waiter", 3)
                    .then(0, "await", awaitEvent())
                    .then(1, "await", awaitEvent())
                    .then(2, "set", (f, t) -> {
                        f.event().set();
                        return "isSet=" + f.event().isSet();
                    })
                    .then(0, "await", awaitEvent()),
            Schedule.of(Primitive.ONCE_FLAG, "a failed once action hands the flag to a waiter, whose action then runs", 3)
                    .then(0, "callOnce (waits at the gate, then fails)", callOnceAtGate(true))
                    .then(1, "callOnce (succeeds)", callOnce())
                    .then(2, "open the gate", openGate())
                    .then(2, "callOnce (succeeds)", callOnce()),
            Schedule.of(Primitive.ONCE_FLAG, "a once action that succeeds releases the waiters without running theirs", 3)
                    .then(0, "callOnce (waits at the gate, then succeeds)", callOnceAtGate(false))
                    .then(1, "callOnce (succeeds)", callOnce())
                    .then(2, "open the gate", openGate()),
            Schedule.of(Primitive.CRITICAL_SECTIONS, "a detached wait suspends the thread's critical section and resumes it after", 2)
                    .then(0, "begin section on m0", begin(0))
                    .then(1, "lock m1", lock(1))
                    .then(0, "lock m1 detached", (f, t) -> f.mutex(1).lockTimed(FOREVER, LockFlag.DETACH).toString())
                    .then(1, "lock m0", lock(0))
                    .then(1, "unlock m0", unlock(0))
                    .then(1, "unlock m1", unlock(1))
                    .then(0, "unlock m1", unlock(1))
                    .then(0, "end section", end()));

    private Schedules() {
    }

    /**
     * Every schedule.
     *
     * @return the schedules
     */
    public static List<Schedule> all() {
        return ALL;
    }

    /**
     * The schedules of one primitive.
     *
     * @param primitive the primitive
     * @return its schedules (none for some)
     */
    public static List<Schedule> of(Primitive primitive) {
        return ALL.stream().filter(s -> s.primitive() == primitive).toList();
    }

    /**
     * The schedule of that name.
     *
     * @param name a schedule's {@link Schedule#name()}
     * @return the schedule
     * @throws NoSuchElementException if there is none of that name
     */
    public static Schedule named(String name) {
        return ALL.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no schedule named \"" + name + "\""));
    }

    private static Move.Action lock(int mutex) {
        return (f, t) -> f.mutex(mutex).lockTimed(FOREVER).toString();
    }

    /** Unlocks, and gives the state byte the unlocking thread sees at once: a hand-off shows there. */
    private static Move.Action unlock(int mutex) {
        return (f, t) -> {
            f.mutex(mutex).unlock();
            return "bits after=" + f.mutex(mutex).bits();
        };
    }

    /**
     * Unlocks, and takes the mutex back at once: that fails if the unlock
     * handed it to the waiter, and also if the woken waiter ran first (a race
     * lost).
     */
    private static Move.Action unlockThenTakeBack(int mutex) {
        return (f, t) -> {
            f.mutex(mutex).unlock();
            if (!f.mutex(mutex).tryLock()) {
                throw new Move.RaceLost("the mutex was taken when its unlocker tried to take it back: handed off,"
                        + " or the woken waiter was first");
            }
            return "took it back";
        };
    }

    private static Move.Action rw(Op op) {
        return (f, t) -> {
            switch (op) {
                case RW_RLOCK -> f.rw().rlock();
                case RW_RUNLOCK -> f.rw().runlock();
                case RW_LOCK -> f.rw().lock();
                case RW_UNLOCK -> f.rw().unlock();
                default -> throw new IllegalArgumentException(op.toString());
            }
            return "";
        };
    }

    /** Parks on the word while it holds 0, with the thread's name as the park argument. */
    private static Move.Action park() {
        return (f, t) -> f.lot().park(f.word(), 0, FOREVER, "T" + t, false).toString();
    }

    private static Move.Action unpark() {
        return (f, t) -> {
            StringBuilder seen = new StringBuilder();
            f.lot().unpark(f.word(), (arg, more) -> seen.append("arg=").append(arg).append(" more=").append(more));
            return seen.toString();
        };
    }

    /**
     * A stray {@code _PyParkingLot_UnparkAll} of the primitive's address: its
     * waiters wake without the state having changed, and must park again.
     */
    private static Move.Action strayWakeUp(Function<Fixture, InMemory> primitive) {
        return (f, t) -> {
            f.lot().unparkAll(new SegmentWord(primitive.apply(f).segment().asSlice(0, 1)));
            return "";
        };
    }

    private static Move.Action awaitEvent() {
        return (f, t) -> {
            f.event().await();
            return "set";
        };
    }

    private static Move.Action callOnce() {
        return (f, t) -> {
            boolean[] ran = new boolean[1];
            f.once().callOnce(() -> ran[0] = true);
            return "ran=" + ran[0] + " done=" + f.once().isDone();
        };
    }

    private static Move.Action callOnceAtGate(boolean fail) {
        return (f, t) -> {
            boolean[] opened = new boolean[1];
            try {
                f.once().callOnce(() -> {
                    opened[0] = f.awaitGate();
                    if (fail) {
                        throw new IllegalStateException("the action fails");
                    }
                });
                return "ran, gate opened=" + opened[0];
            } catch (IllegalStateException e) {
                return "ran and failed, gate opened=" + opened[0];
            }
        };
    }

    private static Move.Action openGate() {
        return (f, t) -> {
            f.openGate();
            return "";
        };
    }

    private static Move.Action begin(int mutex) {
        return (f, t) -> {
            f.sections(t).push(f.implementation().beginCriticalSection(f.mutex(mutex)));
            return "";
        };
    }

    private static Move.Action end() {
        return (f, t) -> {
            f.sections(t).pop().end();
            return "top=" + (f.implementation().topCriticalSection() != null);
        };
    }
}
