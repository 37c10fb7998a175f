package org.cpylock.port.tck;

import org.cpylock.port.Flavour;
import org.cpylock.tck.ConformanceSuite;
import org.cpylock.tck.Implementation;

/** The conformance suite against the port in CPython's free-threaded build flavour. */
class PortFreeThreadedConformanceTest extends ConformanceSuite {
    /** A new port for each test (JUnit makes a new instance per test). */
    private final Implementation implementation = new PortImplementation(Flavour.FREE_THREADED);

    @Override
    protected Implementation implementation() {
        return implementation;
    }
}
