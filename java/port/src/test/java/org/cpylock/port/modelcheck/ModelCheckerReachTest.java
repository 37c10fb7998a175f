package org.cpylock.port.modelcheck;

import org.jetbrains.lincheck.LincheckAssertionError;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * What Lincheck's model checker (3.7) can see of code like the port's: it
 * interleaves threads at the accesses it instruments, and the port's
 * primitives keep their state words in {@code MemorySegment}s, as CPython
 * keeps them in C memory.
 *
 * <p>The same broken lock (test the word, then set it: two threads can both
 * see 0) guards a counter twice: once with its word in an
 * {@code AtomicInteger}, once in a {@code MemorySegment} through a
 * {@code VarHandle}. The checker finds the race in the first and, in as many
 * invocations, not in the second: it does not switch threads at a
 * segment access, so for it a segment's read-then-write is atomic. Model
 * checking the port would therefore explore interleavings only at its Java
 * fields (queues, records), not at the state words, where the algorithms'
 * races are. Should a later Lincheck see segment accesses, the second case
 * fails, and model checking the port becomes worth building.
 *
 * <p>Not part of the test command: {@code mvn -B test -pl port -Pmodel-checking}.
 */
@Tag("model-checking")
class ModelCheckerReachTest {
    private static ModelCheckingOptions options() {
        return new ModelCheckingOptions().iterations(50).invocationsPerIteration(2_000);
    }

    @Test
    void theRaceIsFoundOnAnAtomicInteger() {
        assertThrows(LincheckAssertionError.class, () -> options().check(AtomicWordLock.class));
    }

    @Test
    void theSameRaceIsNotSeenOnAMemorySegment() {
        options().check(SegmentWordLock.class);
    }

    /** A test-then-set lock on an AtomicInteger guarding a counter. */
    public static class AtomicWordLock {
        private final AtomicInteger word = new AtomicInteger();
        private int counter;

        @Operation
        public int incrementAndGet() {
            while (word.get() != 0) {
                Thread.onSpinWait();
            }
            word.set(1);
            int value = ++counter;
            word.set(0);
            return value;
        }
    }

    /** The same lock with its word in a MemorySegment, accessed as the port accesses its words. */
    public static class SegmentWordLock {
        private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
        private final MemorySegment word = Arena.ofAuto().allocate(4, 4);
        private int counter;

        @Operation
        public int incrementAndGet() {
            while ((int) INT.getVolatile(word, 0L) != 0) {
                Thread.onSpinWait();
            }
            INT.setVolatile(word, 0L, 1);
            int value = ++counter;
            INT.setVolatile(word, 0L, 0);
            return value;
        }
    }
}
