package org.cpylock.oracle;

import org.cpylock.api.Flavour;
import org.cpylock.api.Implementation;
import org.cpylock.port.Port;

/** The oracle against the reference port, in the flavour (and backend) of this JVM. */
class PortOracleTest extends OracleProperties {
    @Override
    protected Implementation port(Flavour flavour) {
        return new Port(flavour);
    }
}
