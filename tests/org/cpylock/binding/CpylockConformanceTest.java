package org.cpylock.binding;

import org.cpylock.tck.EventContract;
import org.cpylock.tck.Implementation;
import org.cpylock.tck.MutexContract;

/** The conformance suite against cpylock's native binding, in the flavour of this JVM (Surefire runs both). */
class CpylockConformanceTest implements MutexContract, EventContract {
    @Override
    public Implementation implementation() {
        return new CpylockImplementation();
    }
}
