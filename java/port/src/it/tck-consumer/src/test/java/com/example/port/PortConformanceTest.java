package com.example.port;

import org.cpylock.api.Flavour;
import org.cpylock.api.Implementation;
import org.cpylock.port.Port;
import org.cpylock.tck.ConformanceSuite;

/** The whole suite against the port, in the free-threaded build's behaviour. */
class PortConformanceTest extends ConformanceSuite {
    @Override
    protected Implementation implementation() {
        return new Port(Flavour.FREE_THREADED);
    }
}
