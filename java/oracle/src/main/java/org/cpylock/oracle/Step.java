package org.cpylock.oracle;

/**
 * One step of a program: an operation and its argument (0 to 255; what it
 * means depends on the operation).
 *
 * @param op       the operation
 * @param argument its argument, where the operation takes one
 */
public record Step(Op op, int argument) {
    @Override
    public String toString() {
        return op + "(" + argument + ")";
    }
}
