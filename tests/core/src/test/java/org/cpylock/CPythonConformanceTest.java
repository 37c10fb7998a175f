package org.cpylock;

import org.cpylock.api.Implementation;
import org.cpylock.tck.ConformanceSuite;

/** The conformance suite against cpylock, in this JVM's backend and flavour (Surefire runs all four). */
class CPythonConformanceTest extends ConformanceSuite {
    @Override
    protected Implementation implementation() {
        return CPython.implementation();
    }
}
