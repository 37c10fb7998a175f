package org.cpylock.oracle;

import java.util.List;

/**
 * A sequential program: steps on fresh primitives of one kind, run by one
 * thread.
 *
 * @param primitive what the steps act on
 * @param wordSize  for {@link Primitive#PARKING_LOT}, the word's size (1, 2, 4 or 8); otherwise ignored
 * @param steps     the steps, in order
 */
public record Program(Primitive primitive, int wordSize, List<Step> steps) {
    /**
     * Checks the steps belong to the primitive.
     *
     * @param primitive what the steps act on
     * @param wordSize  the parking lot's word size
     * @param steps     the steps
     */
    public Program {
        steps = List.copyOf(steps);
        for (Step step : steps) {
            if (step.op().primitive() != primitive) {
                throw new IllegalArgumentException(step + " is not an operation of " + primitive);
            }
        }
        if (primitive == Primitive.PARKING_LOT && wordSize != 1 && wordSize != 2 && wordSize != 4 && wordSize != 8) {
            throw new IllegalArgumentException("word size " + wordSize);
        }
    }

    @Override
    public String toString() {
        return primitive + (primitive == Primitive.PARKING_LOT ? "[" + wordSize + " bytes]" : "") + " " + steps;
    }
}
