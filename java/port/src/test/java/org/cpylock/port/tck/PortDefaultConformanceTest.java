package org.cpylock.port.tck;

import org.cpylock.port.Flavour;
import org.cpylock.tck.ConformanceSuite;
import org.cpylock.tck.Implementation;

/** The conformance suite against the port in CPython's default (GIL) build flavour. */
class PortDefaultConformanceTest extends ConformanceSuite {
    /** A new port for each test (JUnit makes a new instance per test). */
    private final Implementation implementation = new PortImplementation(Flavour.DEFAULT);

    @Override
    protected Implementation implementation() {
        return implementation;
    }
}
