package org.cpylock.oracle;

import org.cpylock.port.Flavour;
import org.cpylock.port.tck.PortImplementation;
import org.cpylock.tck.Implementation;

/** The oracle against the reference port, in the flavour (and backend) of this JVM. */
class PortOracleTest extends OracleProperties {
    @Override
    protected Implementation port(boolean freeThreaded) {
        return new PortImplementation(freeThreaded ? Flavour.FREE_THREADED : Flavour.DEFAULT);
    }
}
