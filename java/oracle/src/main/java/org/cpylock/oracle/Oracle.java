package org.cpylock.oracle;


import org.cpylock.api.Implementation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The differential oracle: runs a program against CPython's C code (the
 * reference, normally {@link Implementation}) and against a port, and
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
    static final Duration TIME_LIMIT = Duration.ofSeconds(Long.getLong("cpylock.oracle.time-limit-seconds", 30));

    private static final int AT_ONCE_ATTEMPTS = 20;
    /**
     * The same with virtual threads on the C side: a woken virtual waiter
     * runs within microseconds and often wins the race an at-once move
     * needs it to lose, and a worker's next move waits for a carrier.
     */
    private static final int VIRTUAL_AT_ONCE_ATTEMPTS = 60;

    private final Implementation reference;
    private final Implementation port;
    /** Whether the reference side runs a schedule's threads as virtual threads. */
    private final boolean virtualReference;

    /**
     * An oracle comparing {@code port} with {@code reference}.
     *
     * @param reference the C code (through cpylock), in the flavour of this JVM
     * @param port      the implementation under test, in the same flavour
     * @throws IllegalArgumentException if the two follow different builds of CPython
     */
    public Oracle(Implementation reference, Implementation port) {
        this(reference, port, false);
    }

    private Oracle(Implementation reference, Implementation port, boolean virtualReference) {
        this.reference = Objects.requireNonNull(reference, "reference");
        this.port = Objects.requireNonNull(port, "port");
        this.virtualReference = virtualReference;
        if (reference.freeThreaded() != port.freeThreaded()) {
            throw new IllegalArgumentException(port.name() + " and " + reference.name()
                    + " follow different builds (free-threaded: " + port.freeThreaded() + " and "
                    + reference.freeThreaded() + ")");
        }
    }

    /**
     * This oracle with the reference's side of every concurrent schedule run
     * by virtual threads (the port's by platform threads, as always): so that
     * the reference's waits are virtual threads' waits, which must be the
     * same as platform threads'.
     *
     * @return an oracle whose schedules run the reference on virtual threads
     */
    public Oracle withVirtualReferenceThreads() {
        return new Oracle(reference, port, true);
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

    /**
     * Runs a concurrent schedule on both sides, move by move, and compares
     * after each move what every thread did and every state word (see
     * {@link Schedule}). A run in which a side loses a race the schedule
     * cannot rule out (an at-once move that comes too late, a
     * {@link Move.RaceLost}) says nothing, and the schedule runs again: at
     * least {@value #AT_ONCE_ATTEMPTS} times ({@value #VIRTUAL_AT_ONCE_ATTEMPTS}
     * with virtual reference threads), and on a loaded machine, where the C
     * side loses too, for up to {@link #TIME_LIMIT}. A port that loses the
     * race alone in every run is reported as diverging.
     *
     * @param schedule the schedule
     * @return the first divergence, or empty if the two agree after every move
     * @throws UnsupportedOperationException if this system does not show whether a thread sleeps (Linux does)
     * @throws IllegalStateException if the schedule leaves threads waiting on the C side, or no run was
     *                               conclusive
     */
    public Optional<Divergence> compare(Schedule schedule) {
        if (!KernelThreads.available()) {
            throw new UnsupportedOperationException("concurrent schedules need /proc/thread-self (Linux)");
        }
        int attempts = virtualReference ? VIRTUAL_AT_ONCE_ATTEMPTS : AT_ONCE_ATTEMPTS;
        long deadline = System.nanoTime() + TIME_LIMIT.toNanos();
        Attempt attempt = null;
        boolean portAloneLost = true;
        int made = 0;
        while (made < attempts || (!portAloneLost && System.nanoTime() - deadline < 0)) {
            attempt = attempt(schedule);
            made++;
            if (attempt.conclusive()) {
                return Optional.ofNullable(attempt.divergence());
            }
            portAloneLost &= attempt.divergence() != null;
        }
        if (portAloneLost) {
            // Only the port lost the race, every time: report what it did.
            return Optional.of(attempt.divergence());
        }
        throw new IllegalStateException("\"" + schedule.name() + "\": a race the schedule cannot rule out went the"
                + " wrong way in all " + made + " attempts (on the C side in some); the last: " + attempt.reason());
    }

    /**
     * One run of a schedule on both sides: conclusive, with or without a
     * divergence; or not, because a side lost a race (then the divergence is
     * set if only the port lost it).
     */
    private record Attempt(boolean conclusive, Divergence divergence, String reason) {
    }

    /**
     * Runs the schedule on both sides. After a lost race the moves still run
     * to the end, uncompared, so that no thread is left waiting in either
     * side's parking lot (where it would count as a waiter in its bucket).
     */
    private Attempt attempt(Schedule schedule) {
        try (ScheduleRun expected = new ScheduleRun(reference, schedule, "c", virtualReference);
             ScheduleRun actual = new ScheduleRun(port, schedule, "port", false)) {
            List<Move> moves = schedule.moves();
            Attempt lost = null;
            for (int i = 0; i < moves.size(); i++) {
                // A move and those that follow it at once run on one side, then on the other.
                int last = i;
                while (last + 1 < moves.size() && moves.get(last + 1) instanceof Move.Run run && run.atOnce()) {
                    last++;
                }
                List<ScheduleRun.Observation> c = apply(expected, moves, i, last);
                List<ScheduleRun.Observation> p = apply(actual, moves, i, last);
                for (int k = i; k <= last && lost == null; k++) {
                    ScheduleRun.Observation want = c.get(k - i);
                    ScheduleRun.Observation got = p.get(k - i);
                    if (want.inconclusive()) {
                        lost = new Attempt(false, null, want.outcome());
                    } else if (!want.equals(got)) {
                        Move move = moves.get(k);
                        String thread = move instanceof Move.Run run ? "T" + run.thread() : "-";
                        Divergence divergence = new Divergence(schedule.toString(), k, move.toString(), thread,
                                want.outcome(), got.outcome(), want.state(), got.state(), 0,
                                "Oracle.compare(Schedules.named(\"" + schedule.name() + "\"))");
                        if (!got.inconclusive()) {
                            return new Attempt(true, divergence, "");
                        }
                        lost = new Attempt(false, divergence, got.outcome());
                    }
                }
                i = last;
            }
            if (lost != null) {
                return lost;
            }
            if (!expected.finished()) {
                throw new IllegalStateException("\"" + schedule.name() + "\" leaves threads waiting on the C side");
            }
            return new Attempt(true, null, "");
        }
    }

    private static List<ScheduleRun.Observation> apply(ScheduleRun side, List<Move> moves, int first, int last) {
        List<ScheduleRun.Observation> observations = new ArrayList<>();
        for (int k = first; k <= last; k++) {
            observations.add(side.apply(moves.get(k), k + 1 < moves.size() ? moves.get(k + 1) : null));
        }
        return observations;
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
                return Optional.of(divergence(program, current[0], runner.getName(), "finishes",
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
                    return Optional.of(divergence(program, i, thread, expectedOutcome, actualOutcome,
                            expectedState, actualState, seed));
                }
            }
            return Optional.empty();
        } finally {
            expected.close();
            actual.close();
        }
    }

    private static Divergence divergence(Program program, int step, String thread, String expectedOutcome,
                                         String actualOutcome, String expectedState, String actualState, long seed) {
        String move = step < program.steps().size() ? program.steps().get(step).toString() : "";
        String replay = seed == 0 ? "" : "Oracle.replay(" + program.primitive() + ", " + seed + "L)";
        return new Divergence(program.toString(), step, move, thread, expectedOutcome, actualOutcome, expectedState,
                actualState, seed, replay);
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
