package org.cpylock.port;

import org.cpylock.api.Flavour;
import org.cpylock.api.Implementation;
import org.cpylock.tck.ConformanceSuite;

import java.util.Optional;

/** The conformance suite against the port in CPython's default (GIL) build flavour. */
class PortDefaultConformanceTest extends ConformanceSuite {
    /** A new port for each test (JUnit makes a new instance per test). */
    private final Implementation implementation = new Port(Flavour.DEFAULT);

    @Override
    protected Implementation implementation() {
        return implementation;
    }

    @Override
    protected Optional<Implementation> anotherImplementation() {
        return Optional.of(new Port(Flavour.DEFAULT));
    }
}
