package org.cpylock.tck;

import org.cpylock.api.Implementation;
import org.cpylock.api.PyEvent;
import org.cpylock.api.SeqLock;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code _PySeqLock}: a 32-bit sequence, even while idle and odd while a
 * writer is active; readers retry when it changed under them.
 */
public interface SeqLockContract extends ImplementationProvider {
    /** lockWrite makes the sequence odd, unlockWrite moves it to the next even number. */
    @Test
    default void writesAdvanceTheSequence() {
        SeqLock lock = implementation().newSeqLock();
        assertAWriteAdvances(lock, 0);
        assertAWriteAdvances(lock, 2);
    }

    /** A write from {@code sequence}: odd while it lasts, the next even number after it. */
    private static void assertAWriteAdvances(SeqLock lock, int sequence) {
        assertEquals(sequence, lock.sequence());
        lock.lockWrite();
        assertEquals(sequence + 1, lock.sequence());
        lock.unlockWrite();
        assertEquals(sequence + 2, lock.sequence());
    }

    /** abandonWrite moves the sequence back to the even number it had, so readers need not retry. */
    @Test
    default void abandonedWriteRestoresTheSequence() {
        SeqLock lock = implementation().newSeqLock();
        lock.lockWrite();
        lock.unlockWrite();
        int before = lock.beginRead();
        assertEquals(2, before);
        lock.lockWrite();
        assertEquals(3, lock.sequence());
        lock.abandonWrite();
        assertEquals(2, lock.sequence());
        assertTrue(lock.endRead(before), "a read across an abandoned write is still valid");
    }

    /** endRead accepts a read with no write in between and refuses one across a completed write. */
    @Test
    default void endReadDetectsWrites() {
        SeqLock lock = implementation().newSeqLock();
        int sequence = lock.beginRead();
        assertEquals(0, sequence);
        assertTrue(lock.endRead(sequence));
        sequence = lock.beginRead();
        lock.lockWrite();
        lock.unlockWrite();
        assertFalse(lock.endRead(sequence));
        assertTrue(lock.endRead(lock.beginRead()));
    }

    /** beginRead waits while a write is active and then returns an even sequence. */
    @Test
    default void beginReadWaitsForTheWriter() {
        SeqLock lock = implementation().newSeqLock();
        long read = duringAWrite(lock, "beginRead", lock::beginRead);
        assertEquals(2, read);
    }

    /** lockWrite waits while another write is active and then takes the next write. */
    @Test
    default void lockWriteWaitsForTheWriter() {
        SeqLock lock = implementation().newSeqLock();
        long seen = duringAWrite(lock, "lockWrite", () -> {
            lock.lockWrite();
            long sequence = lock.sequence();
            lock.unlockWrite();
            return sequence;
        });
        assertEquals(3, seen);
        assertEquals(4, lock.sequence());
    }

    /**
     * Runs {@code call} on a thread of its own while another thread writes,
     * checks that it has not returned 50 ms later (time for a wrong
     * implementation to go ahead), ends the write, and returns its result.
     */
    private long duringAWrite(SeqLock lock, String what, LongSupplier call) {
        AtomicLong result = new AtomicLong(-1);
        try (Threads threads = new Threads()) {
            whileAnotherThreadWrites(lock, () -> {
                threads.start(what, () -> result.set(call.getAsLong()));
                Threads.sleepMillis(50);
                assertEquals(-1, result.get(), what + " returned while a write was active");
            });
        }
        return result.get();
    }

    /** Runs {@code during} on this thread while a writer thread holds {@code lock}; the write ends after it. */
    private void whileAnotherThreadWrites(SeqLock lock, Runnable during) {
        Implementation impl = implementation();
        PyEvent writing = impl.newEvent();
        PyEvent finish = impl.newEvent();
        try (Threads threads = new Threads()) {
            threads.start("writer", () -> {
                lock.lockWrite();
                writing.set();
                finish.await();
                lock.unlockWrite();
            });
            assertTrue(writing.await(Threads.HANG));
            try {
                during.run();
            } finally {
                finish.set();
            }
        }
    }

    /** Writers on several threads exclude each other, and each write advances the sequence by two. */
    @Test
    default void writersExcludeEachOther() {
        SeqLock lock = implementation().newSeqLock();
        long[] counter = {0};
        int writers = 4;
        int writes = 5_000;
        AtomicLong progress = new AtomicLong();
        try (Threads threads = new Threads()) {
            for (int w = 0; w < writers; w++) {
                threads.start("writer-" + w, () -> {
                    for (int i = 0; i < writes; i++) {
                        lock.lockWrite();
                        counter[0]++;
                        lock.unlockWrite();
                        progress.incrementAndGet();
                    }
                });
            }
            threads.joinAll(progress::get);
        }
        assertEquals((long) writers * writes, counter[0], "writes lost: writers overlapped");
        assertEquals(2L * writers * writes, lock.sequence());
    }

    /** Readers accept only consistent reads while a writer keeps two fields equal. */
    @Test
    default void acceptedReadsAreNeverTorn() {
        SeqLock lock = implementation().newSeqLock();
        long[] fields = {0, 0};
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong torn = new AtomicLong();
        AtomicLong reads = new AtomicLong();
        int writes = 20_000;
        try (Threads threads = new Threads()) {
            threads.start("writer", () -> {
                for (int i = 0; i < writes; i++) {
                    lock.lockWrite();
                    fields[0]++;
                    fields[1]++;
                    lock.unlockWrite();
                }
                writing.set(false);
            });
            for (int r = 0; r < 2; r++) {
                threads.start("reader-" + r, () -> {
                    while (writing.get()) {
                        if (readsTorn(lock, fields)) {
                            torn.incrementAndGet();
                        }
                        reads.incrementAndGet();
                    }
                });
            }
        }
        assertEquals(0, torn.get(), "torn reads accepted (of " + reads.get() + ")");
        assertEquals(2 * writes, lock.sequence());
    }

    /**
     * Reads two fields that every write of {@code lock} increments together,
     * as a reader of a sequence lock does (again until no write overlapped
     * the read), and tells whether the values accepted differ.
     *
     * @param lock   the sequence lock the writers hold
     * @param fields the two fields, written only under {@code lock}
     * @return whether the read accepted a torn pair
     */
    static boolean readsTorn(SeqLock lock, long[] fields) {
        long a;
        long b;
        int sequence;
        do {
            sequence = lock.beginRead();
            a = fields[0];
            b = fields[1];
        } while (!lock.endRead(sequence));
        return a != b;
    }

    /** afterFork with no write in progress changes nothing and reports false. */
    @Test
    default void afterForkWithoutWriter() {
        SeqLock lock = implementation().newSeqLock();
        lock.lockWrite();
        lock.unlockWrite();
        assertFalse(lock.afterFork());
        assertEquals(2, lock.sequence());
    }

    /**
     * afterFork resets the sequence of a write whose writer is gone to 0, not
     * to the even value before that write, and reports it.
     */
    @Test
    default void afterForkResetsAnAbandonedWriteToZero() {
        SeqLock lock = implementation().newSeqLock();
        try (Threads threads = new Threads()) {
            threads.start("writer that is gone", () -> {
                lock.lockWrite();
                lock.unlockWrite();
                lock.lockWrite();
            });
        }
        assertEquals(3, lock.sequence());
        assertTrue(lock.afterFork());
        assertAWriteAdvances(lock, 0);
    }

    /**
     * afterFork reads the sequence as the {@code uint32_t} it is:
     * {@code _PySeqLock_AfterFork} ({@code Python/lock.c}) tests its low bit
     * ({@code SEQLOCK_IS_UPDATING}), so an even sequence at or above
     * 2<sup>31</sup> (where a Java {@code int} is negative) is left as it
     * is, and a write from it whose writer is gone, an odd sequence there,
     * is reset to 0 and reported, as below 2<sup>31</sup>.
     */
    @Test
    default void afterForkReadsTheSequenceAsAnUnsigned32BitWord() {
        Implementation impl = implementation();
        for (int even : new int[] {0x7FFF_FFFE, 0x8000_0000, 0xFFFF_FFFE}) {
            String at = "sequence " + Integer.toUnsignedString(even);
            SeqLock lock = impl.newSeqLock();
            lock.segment().set(ValueLayout.JAVA_INT, 0, even);
            assertFalse(lock.afterFork(), at + ": no write is active");
            assertEquals(even, lock.sequence(), at);
            try (Threads threads = new Threads()) {
                threads.start("writer that is gone", lock::lockWrite);
            }
            at = "sequence " + Integer.toUnsignedString(even + 1);
            assertEquals(even + 1, lock.sequence(), at);
            assertTrue(lock.afterFork(), at + ": a write is active, its writer gone");
            assertEquals(0, lock.sequence(), at);
        }
    }

    /** afterFork while a live thread is writing is refused (only a forked child may reset it). */
    @Test
    default void afterForkUnderALiveWriterThrows() {
        SeqLock lock = implementation().newSeqLock();
        whileAnotherThreadWrites(lock, () -> {
            assertThrows(IllegalStateException.class, lock::afterFork);
            assertEquals(1, lock.sequence());
        });
        assertEquals(2, lock.sequence());
    }

    /** unlockWrite and abandonWrite without lockWrite, or by another thread than the writer, throw. */
    @Test
    default void endingAWriteThatIsNotYoursThrows() {
        SeqLock lock = implementation().newSeqLock();
        assertEndingTheWriteThrows(lock);
        assertEquals(0, lock.sequence());
        lock.lockWrite();
        try (Threads threads = new Threads()) {
            threads.start("not-the-writer", () -> assertEndingTheWriteThrows(lock));
        }
        assertEquals(1, lock.sequence());
        lock.unlockWrite();
        assertEquals(2, lock.sequence());
    }

    private static void assertEndingTheWriteThrows(SeqLock lock) {
        assertThrows(IllegalMonitorStateException.class, lock::unlockWrite);
        assertThrows(IllegalMonitorStateException.class, lock::abandonWrite);
    }

    /**
     * The sequence is a {@code uint32_t}: from any even value a write makes
     * it odd and the next even value, across 2<sup>31</sup> (where a Java
     * {@code int} turns negative) and from 2<sup>32</sup> - 2 round to 0;
     * readers wait while it is odd and detect the write as anywhere else.
     */
    @Test
    default void theSequenceIsAnUnsigned32BitWord() {
        Implementation impl = implementation();
        for (int start : new int[]{0x7FFF_FFFE, 0x8000_0000, 0xFFFF_FFFE}) {
            String from = "from " + Integer.toUnsignedString(start);
            SeqLock lock = impl.newSeqLock();
            lock.segment().set(ValueLayout.JAVA_INT, 0, start);
            int read = lock.beginRead();
            assertEquals(start, read, from);
            assertTrue(lock.endRead(read), from);
            lock.lockWrite();
            assertEquals(start + 1, lock.sequence(), from);
            assertFalse(lock.endRead(read), from + ": a read overlapping a write");
            AtomicLong readerSaw = new AtomicLong(-1);
            try (Threads threads = new Threads()) {
                threads.start("reader", () -> readerSaw.set(Integer.toUnsignedLong(lock.beginRead())));
                Threads.sleepMillis(20); // time for a wrong implementation to return the odd sequence
                assertEquals(-1, readerSaw.get(), from + ": beginRead returned while a write was active");
                lock.unlockWrite();
            }
            assertEquals(Integer.toUnsignedLong(start + 2), readerSaw.get(), from);
            assertEquals(start + 2, lock.sequence(), from);
            assertFalse(lock.endRead(read), from + ": a read from before the write");
            lock.lockWrite();
            lock.abandonWrite();
            assertEquals(start + 2, lock.sequence(), from + ": an abandoned write restores the sequence");
            assertTrue(lock.endRead(lock.beginRead()), from);
        }
    }

    /**
     * A writer that waits for another writer, and a reader that waits for a
     * write to end, yield in a loop ({@code _Py_yield} in
     * {@code _PySeqLock_LockWrite} and {@code _PySeqLock_BeginRead},
     * {@code Python/lock.c}) that an interrupt does not end: a thread
     * interrupted before and while it waits gets the lock, or its read,
     * once the write ends, with its interrupt status still set.
     */
    @Test
    default void aWaitingWriterOrReaderKeepsItsInterruptStatus() {
        SeqLock lock = implementation().newSeqLock();
        for (boolean reader : new boolean[] {false, true}) {
            AtomicReference<Boolean> interruptedAfter = new AtomicReference<>();
            lock.lockWrite();
            try (Threads threads = new Threads()) {
                Thread waiter = threads.start(reader ? "reader" : "writer", () -> {
                    Thread.currentThread().interrupt();
                    if (reader) {
                        assertTrue(lock.endRead(lock.beginRead()), "a read after the write ended");
                    } else {
                        lock.lockWrite();
                        lock.unlockWrite();
                    }
                    interruptedAfter.set(Thread.interrupted());
                });
                Threads.sleepMillis(Threads.QUEUE_MILLIS); // the waiter yields meanwhile
                waiter.interrupt();
                Threads.sleepMillis(Threads.QUEUE_MILLIS);
                boolean waited = interruptedAfter.get() == null;
                lock.unlockWrite();
                assertTrue(waited, (reader ? "the reader" : "the writer") + " did not wait for the write");
            }
            assertEquals(Boolean.TRUE, interruptedAfter.get(),
                    (reader ? "the reader" : "the writer") + "'s interrupt status after the wait");
        }
    }
}
