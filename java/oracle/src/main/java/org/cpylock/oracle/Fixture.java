package org.cpylock.oracle;

import org.cpylock.tck.CriticalSectionsUnderTest;
import org.cpylock.tck.EventUnderTest;
import org.cpylock.tck.Implementation;
import org.cpylock.tck.MutexUnderTest;
import org.cpylock.tck.OnceFlagUnderTest;
import org.cpylock.tck.ParkingLotUnderTest;
import org.cpylock.tck.RWMutexUnderTest;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One side's primitives for one run of a {@link Schedule}: three mutexes, a
 * readers-writer mutex, an event, a once flag, a 4-byte parking-lot word and
 * a gate (a plain Java latch that an operation may wait on and another open),
 * all fresh; and, per thread, the critical sections it has begun.
 */
public final class Fixture {
    private final Implementation implementation;
    private final MutexUnderTest[] mutexes;
    private final RWMutexUnderTest rw;
    private final EventUnderTest event;
    private final OnceFlagUnderTest once;
    private final ParkingLotUnderTest lot;
    private final ParkingLotUnderTest.Word word;
    private final CountDownLatch gate = new CountDownLatch(1);
    private final Deque<CriticalSectionsUnderTest.Section>[] sections;

    @SuppressWarnings("unchecked")
    Fixture(Implementation implementation, int threads) {
        this.implementation = implementation;
        this.mutexes = new MutexUnderTest[]{implementation.newMutex(), implementation.newMutex(),
                implementation.newMutex()};
        this.rw = implementation.newRWMutex();
        this.event = implementation.newEvent();
        this.once = implementation.newOnceFlag();
        this.lot = implementation.parkingLot();
        this.word = lot.newWord(4);
        this.sections = new Deque[threads];
        for (int i = 0; i < threads; i++) {
            sections[i] = new ArrayDeque<>();
        }
    }

    /**
     * The implementation the primitives come from.
     *
     * @return the implementation
     */
    public Implementation implementation() {
        return implementation;
    }

    /**
     * One of the three mutexes.
     *
     * @param index 0, 1 or 2
     * @return the mutex
     */
    public MutexUnderTest mutex(int index) {
        return mutexes[index];
    }

    /**
     * The readers-writer mutex.
     *
     * @return the mutex
     */
    public RWMutexUnderTest rw() {
        return rw;
    }

    /**
     * The event.
     *
     * @return the event
     */
    public EventUnderTest event() {
        return event;
    }

    /**
     * The once flag.
     *
     * @return the flag
     */
    public OnceFlagUnderTest once() {
        return once;
    }

    /**
     * The parking lot.
     *
     * @return the parking lot
     */
    public ParkingLotUnderTest lot() {
        return lot;
    }

    /**
     * The parking-lot word (4 bytes, 0 at first).
     *
     * @return the word
     */
    public ParkingLotUnderTest.Word word() {
        return word;
    }

    /**
     * Waits until the gate is opened (at most {@link Oracle}'s time limit).
     *
     * @return whether it was opened in time
     */
    public boolean awaitGate() {
        try {
            return gate.await(Oracle.TIME_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Opens the gate. */
    public void openGate() {
        gate.countDown();
    }

    /**
     * The critical sections a thread has begun and not ended, innermost first.
     *
     * @param thread the thread's index
     * @return its sections (the thread's operations push and pop them)
     */
    public Deque<CriticalSectionsUnderTest.Section> sections(int thread) {
        return sections[thread];
    }

    /**
     * Every state word, as text.
     *
     * @return the state
     */
    public String state() {
        return "m0=" + mutexes[0].bits() + " m1=" + mutexes[1].bits() + " m2=" + mutexes[2].bits()
                + " rw=" + rw.bits() + " event=" + event.bits() + " once=" + once.bits()
                + " word=0x" + Long.toHexString(word.get());
    }
}
