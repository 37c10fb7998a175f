package org.cpylock.oracle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A concurrent program: a fixed schedule of moves on one side's primitives
 * (a {@link Fixture}), each made by one of {@code threads} threads, one move
 * at a time. After each move the driver waits until every thread has either
 * finished its operation or is waiting in the kernel (parked), and the state
 * words and the threads' outcomes are compared.
 *
 * @param primitive the primitive whose behaviour it checks
 * @param name    what the schedule checks
 * @param threads how many threads it uses
 * @param moves   the moves, in order
 */
public record Schedule(Primitive primitive, String name, int threads, List<Move> moves) {
    /**
     * How soon an {@linkplain Move.Run#atOnce() at-once} move must follow the
     * previous one: less than CPython's {@code TIME_TO_BE_FAIR_NS} (1 ms), so
     * that a waiter that began the previous move has not waited long enough to
     * be handed a mutex.
     */
    public static final Duration AT_ONCE = Duration.ofMillis(1);

    /**
     * Checks the moves' threads and that at-once moves follow a thread's move.
     *
     * @param primitive the primitive
     * @param name    the name
     * @param threads the thread count
     * @param moves   the moves
     */
    public Schedule {
        moves = List.copyOf(moves);
        for (int i = 0; i < moves.size(); i++) {
            if (moves.get(i) instanceof Move.Run run) {
                if (run.thread() >= threads) {
                    throw new IllegalArgumentException(run + ": the schedule has " + threads + " threads");
                }
                if (run.atOnce() && (i == 0 || !(moves.get(i - 1) instanceof Move.Run))) {
                    throw new IllegalArgumentException(run + " follows no thread's move");
                }
            }
        }
    }

    /**
     * A schedule without moves, to add them to.
     *
     * @param primitive the primitive whose behaviour it checks
     * @param name      what it checks
     * @param threads   how many threads it uses
     * @return the empty schedule
     */
    public static Schedule of(Primitive primitive, String name, int threads) {
        return new Schedule(primitive, name, threads, List.of());
    }

    /**
     * This schedule followed by thread {@code thread} doing {@code operation}.
     *
     * @param thread    the thread
     * @param operation its name
     * @param action    the operation
     * @return the longer schedule
     */
    public Schedule then(int thread, String operation, Move.Action action) {
        return with(new Move.Run(thread, operation, action, false, 0));
    }

    /**
     * This schedule followed at once by thread {@code thread} doing
     * {@code operation} (see {@link Move.Run#atOnce()}).
     *
     * @param thread    the thread
     * @param operation its name
     * @param action    the operation
     * @return the longer schedule
     */
    public Schedule thenAtOnce(int thread, String operation, Move.Action action) {
        return with(new Move.Run(thread, operation, action, true, 0));
    }

    /**
     * This schedule followed by thread {@code thread} doing {@code operation}
     * {@code millis} after the previous move began (see {@link Move.Run#delayMillis()}).
     *
     * @param thread    the thread
     * @param millis    the delay, in milliseconds (positive)
     * @param operation its name
     * @param action    the operation
     * @return the longer schedule
     */
    public Schedule thenAfter(int thread, long millis, String operation, Move.Action action) {
        if (millis <= 0) {
            throw new IllegalArgumentException("delay of " + millis + " ms");
        }
        return with(new Move.Run(thread, operation, action, true, millis));
    }

    /**
     * This schedule followed by a pause.
     *
     * @param millis how long, in milliseconds
     * @return the longer schedule
     */
    public Schedule pause(long millis) {
        return with(new Move.Pause(millis));
    }

    private Schedule with(Move move) {
        List<Move> longer = new ArrayList<>(moves);
        longer.add(move);
        return new Schedule(primitive, name, threads, longer);
    }

    @Override
    public String toString() {
        return "\"" + name + "\" " + moves;
    }
}
