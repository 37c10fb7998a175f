package org.cpylock.oracle;

import org.cpylock.tck.ConformanceSuite;
import org.cpylock.tck.Implementation;

/** The conformance suite against cpylock's native binding, in the flavour of this JVM (Surefire runs both). */
class CPythonConformanceTest extends ConformanceSuite {
    @Override
    protected Implementation implementation() {
        return new CPythonImplementation();
    }
}
