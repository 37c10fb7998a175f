package org.cpylock.oracle;

import org.cpylock.tck.Implementation;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The differential oracle: runs a program against CPython's C code (the
 * reference, normally {@link CPythonImplementation}) and against a port, and
 * reports the first step after which they disagree.
 *
 * <p>Both sides get fresh primitives; each step runs on the reference, then
 * on the port, on the same thread. After each step the oracle compares what
 * the step returned (or the class of what it threw) and every state word.
 * A step that would wait for another thread on the reference (a lock of a
 * taken mutex: there is no other thread) runs on neither side; the state
 * words still have to agree. A program that does not finish within the
 * time limit is reported as a divergence at the step that hung.
 */
public final class Oracle {
    /** How long a program may take: 30 s, or {@code -Dcpylock.oracle.time-limit-seconds}. */
    private static final Duration TIME_LIMIT = Duration.ofSeconds(Long.getLong("cpylock.oracle.time-limit-seconds", 30));

    private final Implementation reference;
    private final Implementation port;

    /**
     * An oracle comparing {@code port} with {@code reference}.
     *
     * @param reference the C code (through cpylock), in the flavour of this JVM
     * @param port      the implementation under test, in the same flavour
     * @throws IllegalArgumentException if the two follow different builds of CPython
     */
    public Oracle(Implementation reference, Implementation port) {
        this.reference = Objects.requireNonNull(reference, "reference");
        this.port = Objects.requireNonNull(port, "port");
        if (reference.freeThreaded() != port.freeThreaded()) {
            throw new IllegalArgumentException(port.name() + " and " + reference.name()
                    + " follow different builds (free-threaded: " + port.freeThreaded() + " and "
                    + reference.freeThreaded() + ")");
        }
    }

    /**
     * Runs one program on both sides.
     *
     * @param program the program
     * @return the first divergence, or empty if the two agree after every step
     */
    public Optional<Divergence> compare(Program program) {
        return compare(program, 0);
    }

    /**
     * Runs the program that {@code seed} stands for ({@link Programs#fromSeed}).
     *
     * @param primitive what the program acts on
     * @param seed      the seed a {@link Divergence} reported
     * @return the first divergence, or empty
     */
    public Optional<Divergence> replay(Primitive primitive, long seed) {
        return compare(Programs.fromSeed(primitive, seed), seed);
    }

    /**
     * Runs {@code count} programs generated from {@code seed}, and stops at
     * the first that diverges.
     *
     * @param primitive what the programs act on
     * @param seed      the seed of the whole run
     * @param count     how many programs
     * @return the first divergence (its seed replays that program alone), or empty
     */
    public Optional<Divergence> run(Primitive primitive, long seed, int count) {
        Random seeds = new Random(seed);
        for (int i = 0; i < count; i++) {
            long programSeed = seeds.nextLong() | 1;
            Optional<Divergence> divergence = replay(primitive, programSeed);
            if (divergence.isPresent()) {
                return divergence;
            }
        }
        return Optional.empty();
    }

    private Optional<Divergence> compare(Program program, long seed) {
        AtomicReference<Optional<Divergence>> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int[] current = new int[1];
        Thread runner = Thread.ofPlatform().daemon().name("oracle").start(() -> {
            try {
                result.set(steps(program, seed, current));
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        try {
            if (!runner.join(TIME_LIMIT)) {
                return Optional.of(new Divergence(program, current[0], runner.getName(), "finishes",
                        "did not finish within " + TIME_LIMIT.toSeconds() + " s (on either side)", "", "", seed));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the oracle ran " + program, e);
        }
        if (failure.get() != null) {
            throw new IllegalStateException("the oracle failed on " + program, failure.get());
        }
        return result.get();
    }

    private Optional<Divergence> steps(Program program, long seed, int[] current) {
        Subject expected = Subject.of(reference, program);
        Subject actual = Subject.of(port, program);
        String thread = Thread.currentThread().getName();
        try {
            for (int i = 0; i < program.steps().size(); i++) {
                current[0] = i;
                Step step = program.steps().get(i);
                String expectedOutcome;
                String actualOutcome;
                if (step.op().parks() && expected.wouldPark(step)) {
                    expectedOutcome = actualOutcome = "would wait for another thread: not run";
                } else {
                    expectedOutcome = outcome(expected, step);
                    actualOutcome = outcome(actual, step);
                }
                String expectedState = expected.state();
                String actualState = actual.state();
                if (!expectedOutcome.equals(actualOutcome) || !expectedState.equals(actualState)) {
                    return Optional.of(new Divergence(program, i, thread, expectedOutcome, actualOutcome,
                            expectedState, actualState, seed));
                }
            }
            return Optional.empty();
        } finally {
            expected.close();
            actual.close();
        }
    }

    private static String outcome(Subject subject, Step step) {
        try {
            return subject.apply(step);
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError) {
                throw e;
            }
            return "threw " + e.getClass().getSimpleName();
        }
    }
}
