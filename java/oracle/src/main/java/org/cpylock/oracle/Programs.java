package org.cpylock.oracle;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Random sequential programs: from a seed (the plain API), or as jqwik arbitraries that shrink. */
public final class Programs {
    /** The longest program either generator makes. */
    public static final int MAX_STEPS = 40;

    private static final int[] WORD_SIZES = {1, 2, 4, 8};
    /** Where narrower or signed arithmetic goes wrong: start words are drawn near these half the time. */
    private static final long[] EDGES = {0, 1L << 31, 1L << 32, 1L << 33, 1L << 62, 1L << 63};

    private Programs() {
    }

    /**
     * The program a seed stands for.
     *
     * @param primitive what the program acts on
     * @param seed      any value; the same seed gives the same program
     * @return a program of 1 to {@link #MAX_STEPS} steps
     */
    public static Program fromSeed(Primitive primitive, long seed) {
        Random random = new Random(seed);
        List<Op> ops = Op.of(primitive);
        int length = 1 + random.nextInt(MAX_STEPS);
        List<Step> steps = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            steps.add(new Step(ops.get(random.nextInt(ops.size())), random.nextInt(256)));
        }
        int size = WORD_SIZES[random.nextInt(WORD_SIZES.length)];
        long bits = random.nextBoolean() ? random.nextLong() : EDGES[random.nextInt(EDGES.length)] - random.nextInt(16);
        return new Program(primitive, size, initialWord(primitive, size, bits), steps);
    }

    /**
     * The state word a program of {@code primitive} may start from, made of
     * {@code bits}: a {@code _PySeqLock} sequence (even, 32 bits), a
     * {@code _PyRWMutex} word of readers only (bits 0 and 1 clear: nobody
     * writes or waits), a parking-lot word of {@code wordSize} bytes; 0 for
     * the other primitives, whose other states need waiting threads.
     *
     * @param primitive what the program acts on
     * @param wordSize  the parking lot's word size
     * @param bits      any value
     * @return the initial word
     */
    static long initialWord(Primitive primitive, int wordSize, long bits) {
        return switch (primitive) {
            case SEQ_LOCK -> bits & 0xFFFF_FFFEL;
            case RW_MUTEX -> bits & ~3L;
            case PARKING_LOT -> wordSize == 8 ? bits : bits & ((1L << (8 * wordSize)) - 1);
            default -> 0;
        };
    }

    /**
     * Programs of one primitive for jqwik, which shrinks a failing one
     * towards fewer steps, earlier operations and smaller arguments.
     *
     * @param primitive what the programs act on
     * @return the arbitrary
     */
    public static Arbitrary<Program> arbitrary(Primitive primitive) {
        Arbitrary<Step> step = Combinators.combine(Arbitraries.of(Op.of(primitive)), Arbitraries.integers().between(0, 255))
                .as(Step::new);
        return Combinators.combine(Arbitraries.of(1, 2, 4, 8), Arbitraries.longs(), step.list().ofMinSize(1).ofMaxSize(MAX_STEPS))
                .as((size, bits, steps) -> new Program(primitive, size, initialWord(primitive, size, bits), steps));
    }
}
