package org.cpylock.oracle;

/**
 * One step of a concurrent {@link Schedule}: a thread does an operation, or
 * the schedule lets time pass.
 */
public sealed interface Move {
    /**
     * What a thread does in a move, on one side's primitives.
     */
    @FunctionalInterface
    interface Action {
        /**
         * Runs the operation on the calling thread.
         *
         * @param fixture the side's primitives
         * @param thread  the index of the calling thread in the schedule
         * @return what the operation gave, as text ({@code ""} for nothing)
         */
        String run(Fixture fixture, int thread);
    }

    /**
     * Thrown by an operation that lost a race the schedule cannot rule out
     * (a woken thread that ran sooner than usual, say): the outcome says
     * nothing about the implementation, and the schedule runs again.
     */
    final class RaceLost extends RuntimeException {
        /**
         * The race and how it was lost.
         *
         * @param message what happened
         */
        public RaceLost(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Thread {@code thread} does {@code operation}.
     *
     * @param thread      the index of the thread (0 based)
     * @param operation   the operation's name, for reports
     * @param action      the operation
     * @param atOnce      whether the move follows the previous one without waiting for it to settle: the driver
     *                    waits for the previous move only until its thread first sleeps (the previous move's
     *                    state is not compared), then {@code delayMillis} more (see below), and this move must
     *                    end less than {@link Schedule#AT_ONCE} plus {@code delayMillis} after the previous one
     *                    began, or the outcome is inconclusive (as when the operation throws {@link RaceLost})
     * @param delayMillis for an at-once move, 0 to start as soon as the previous move's thread sleeps; or how
     *                    long after the previous move began to start, and no sooner than 2 ms after its thread
     *                    first slept, so that a waiter has certainly waited more than CPython's 1 ms
     */
    record Run(int thread, String operation, Action action, boolean atOnce, long delayMillis) implements Move {
        /**
         * Checks the thread index and the delay.
         *
         * @param thread      the thread
         * @param operation   its name
         * @param action      the operation
         * @param atOnce      whether it follows the previous move at once
         * @param delayMillis the delay of an at-once move
         */
        public Run {
            if (thread < 0) {
                throw new IllegalArgumentException("thread " + thread);
            }
            if (delayMillis < 0 || (delayMillis > 0 && !atOnce)) {
                throw new IllegalArgumentException("delay of " + delayMillis + " ms");
            }
        }

        @Override
        public String toString() {
            return "T" + thread + " " + operation
                    + (!atOnce ? "" : delayMillis == 0 ? " (at once)" : " (" + delayMillis + " ms after)");
        }
    }

    /**
     * The schedule sleeps; every thread stays as it is.
     *
     * @param millis how long, in milliseconds
     */
    record Pause(long millis) implements Move {
        /**
         * Checks the duration.
         *
         * @param millis how long
         */
        public Pause {
            if (millis <= 0) {
                throw new IllegalArgumentException("pause of " + millis + " ms");
            }
        }

        @Override
        public String toString() {
            return "pause " + millis + " ms";
        }
    }
}
