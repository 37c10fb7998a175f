package org.cpylock.oracle;

import org.cpylock.api.CriticalSection;
import org.cpylock.api.Implementation;
import org.cpylock.api.OnceFlag;
import org.cpylock.api.PyEvent;
import org.cpylock.api.PyMutex;
import org.cpylock.api.RWMutex;
import org.cpylock.tck.SegmentWord;
import org.cpylock.tck.WordLot;

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
    private final PyMutex[] mutexes;
    private final RWMutex rw;
    private final PyEvent event;
    private final OnceFlag once;
    private final WordLot lot;
    private final SegmentWord word;
    private final CountDownLatch gate = new CountDownLatch(1);
    private final Deque<CriticalSection>[] sections;

    @SuppressWarnings("unchecked")
    Fixture(Implementation implementation, int threads) {
        this.implementation = implementation;
        this.mutexes = new PyMutex[]{implementation.newMutex(), implementation.newMutex(),
                implementation.newMutex()};
        this.rw = implementation.newRWMutex();
        this.event = implementation.newEvent();
        this.once = implementation.newOnceFlag();
        this.lot = new WordLot(implementation.parkingLot());
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
    public PyMutex mutex(int index) {
        return mutexes[index];
    }

    /**
     * The readers-writer mutex.
     *
     * @return the mutex
     */
    public RWMutex rw() {
        return rw;
    }

    /**
     * The event.
     *
     * @return the event
     */
    public PyEvent event() {
        return event;
    }

    /**
     * The once flag.
     *
     * @return the flag
     */
    public OnceFlag once() {
        return once;
    }

    /**
     * The parking lot.
     *
     * @return the parking lot
     */
    public WordLot lot() {
        return lot;
    }

    /**
     * The parking-lot word (4 bytes, 0 at first).
     *
     * @return the word
     */
    public SegmentWord word() {
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
    public Deque<CriticalSection> sections(int thread) {
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
