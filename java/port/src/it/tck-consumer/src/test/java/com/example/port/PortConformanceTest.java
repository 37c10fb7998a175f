package com.example.port;

import org.cpylock.port.Flavour;
import org.cpylock.port.tck.PortImplementation;
import org.cpylock.tck.ConformanceSuite;
import org.cpylock.tck.Implementation;

/** The whole suite against the port, in the free-threaded build's behaviour. */
class PortConformanceTest extends ConformanceSuite {
    @Override
    protected Implementation implementation() {
        return new PortImplementation(Flavour.FREE_THREADED);
    }
}
