package org.cpylock.bench;

import org.cpylock.CPython;
import org.cpylock.port.Port;

/** The pure-Java port in the flavour this JVM loads, for the benchmarks' port rows. */
public final class BenchPort {
    private static final Port PORT = Port.of(CPython.flavour());

    private BenchPort() {
    }

    /**
     * The port.
     *
     * @return the port in this JVM's flavour
     */
    public static Port port() {
        return PORT;
    }
}
