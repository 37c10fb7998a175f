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
        return new Program(primitive, WORD_SIZES[random.nextInt(WORD_SIZES.length)], steps);
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
        return Combinators.combine(Arbitraries.of(1, 2, 4, 8), step.list().ofMinSize(1).ofMaxSize(MAX_STEPS))
                .as((size, steps) -> new Program(primitive, size, steps));
    }
}
