package org.cpylock.tck;

import org.cpylock.api.Implementation;

/** Supplies the implementation a contract's tests run against. */
public interface ImplementationProvider {
    /**
     * The implementation under test; called once per test.
     *
     * @return the implementation whose primitives the test exercises
     */
    Implementation implementation();
}
