package org.cpylock.oracle;

import java.util.List;

/**
 * A sequential program: steps on fresh primitives of one kind, run by one
 * thread, from a state word that no thread waits on.
 *
 * @param primitive   what the steps act on
 * @param wordSize    for {@link Primitive#PARKING_LOT}, the word's size (1, 2, 4 or 8); otherwise ignored
 * @param initialWord the state word both sides start from, as C code may find it: a {@code _PySeqLock}
 *                    sequence (even, unsigned 32-bit), a {@code _PyRWMutex} word with readers only (bits 0
 *                    and 1 clear), a parking-lot word (its size's bytes); 0 for the other primitives
 * @param steps       the steps, in order
 */
public record Program(Primitive primitive, int wordSize, long initialWord, List<Step> steps) {
    /**
     * Checks the steps belong to the primitive and the initial word is one it can hold.
     *
     * @param primitive   what the steps act on
     * @param wordSize    the parking lot's word size
     * @param initialWord the state word to start from
     * @param steps       the steps
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
        if (initialWord != Programs.initialWord(primitive, wordSize, initialWord)) {
            throw new IllegalArgumentException(primitive + " cannot start from 0x" + Long.toHexString(initialWord));
        }
    }

    /**
     * A program from zeroed words.
     *
     * @param primitive what the steps act on
     * @param wordSize  the parking lot's word size
     * @param steps     the steps
     */
    public Program(Primitive primitive, int wordSize, List<Step> steps) {
        this(primitive, wordSize, 0, steps);
    }

    @Override
    public String toString() {
        return primitive + (primitive == Primitive.PARKING_LOT ? "[" + wordSize + " bytes]" : "")
                + (initialWord == 0 ? "" : " from 0x" + Long.toHexString(initialWord)) + " " + steps;
    }
}
