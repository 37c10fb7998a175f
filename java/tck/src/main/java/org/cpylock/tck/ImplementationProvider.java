package org.cpylock.tck;

import org.cpylock.api.Implementation;

import java.util.Optional;

/** Supplies the implementation a contract's tests run against. */
public interface ImplementationProvider {
    /**
     * The implementation under test; called once per test.
     *
     * @return the implementation whose primitives the test exercises
     */
    Implementation implementation();

    /**
     * Another instance of the implementation under test, with thread states
     * and a parking lot of its own, for the cases that check that neither
     * takes the other's primitives.
     *
     * @return the other instance, or empty (the default) if the implementation has only one
     */
    default Optional<Implementation> anotherImplementation() {
        return Optional.empty();
    }
}
