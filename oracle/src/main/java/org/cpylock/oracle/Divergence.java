package org.cpylock.oracle;

/**
 * The first step after which a port and the C code disagree: in what the step
 * returned or threw, or in the state words after it.
 *
 * @param program         the program
 * @param step            the index of the step in the program (0 based)
 * @param thread          the thread that ran it
 * @param expectedOutcome what the step gave on the C side ({@code ""} for nothing, {@code "threw X"})
 * @param actualOutcome   what it gave on the port
 * @param expectedState   the C side's state words after the step
 * @param actualState     the port's state words after the step
 * @param seed            the seed that generates the program again ({@link Oracle#replay}), or 0 for a
 *                        program that was not generated from a seed
 */
public record Divergence(Program program, int step, String thread, String expectedOutcome, String actualOutcome,
                         String expectedState, String actualState, long seed) {
    @Override
    public String toString() {
        StringBuilder report = new StringBuilder()
                .append("the port diverges from CPython's C code at step ").append(step)
                .append(step < program.steps().size() ? " " + program.steps().get(step) : "")
                .append(" on thread ").append(thread).append('\n')
                .append("  program:  ").append(program).append('\n')
                .append("  outcome:  expected [").append(expectedOutcome).append("], actual [")
                .append(actualOutcome).append("]\n")
                .append("  state:    expected [").append(expectedState).append("], actual [")
                .append(actualState).append("]");
        if (seed != 0) {
            report.append("\n  replay:   Oracle.replay(").append(program.primitive()).append(", ").append(seed)
                    .append("L)");
        }
        return report.toString();
    }
}
