package org.cpylock.oracle;

/**
 * The first step after which a port and the C code disagree: in what the step
 * returned or threw (for a concurrent schedule: what every thread did during
 * it), or in the state words after it.
 *
 * @param program         the sequential program or the concurrent schedule, as text
 * @param step            the index of the step in the program (0 based)
 * @param move            the step, as text ({@code ""} past the last one)
 * @param thread          the thread that ran it
 * @param expectedOutcome what the step gave on the C side ({@code ""} for nothing, {@code "threw X"})
 * @param actualOutcome   what it gave on the port
 * @param expectedState   the C side's state words after the step
 * @param actualState     the port's state words after the step
 * @param seed            the seed that generates the program again ({@link Oracle#replay}), or 0 for a
 *                        program that was not generated from a seed
 * @param replay          the call that runs the program again
 */
public record Divergence(String program, int step, String move, String thread, String expectedOutcome,
                         String actualOutcome, String expectedState, String actualState, long seed, String replay) {
    @Override
    public String toString() {
        return "the port diverges from CPython's C code at step " + step + (move.isEmpty() ? "" : " " + move)
                + " on thread " + thread + '\n'
                + "  program:  " + program + '\n'
                + "  outcome:  expected [" + expectedOutcome + "], actual [" + actualOutcome + "]\n"
                + "  state:    expected [" + expectedState + "], actual [" + actualState + "]"
                + (replay.isEmpty() ? "" : "\n  replay:   " + replay);
    }
}
