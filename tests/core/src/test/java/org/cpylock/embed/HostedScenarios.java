package org.cpylock.embed;

import org.cpylock.CPython;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a JVM hosted by a CPython process ({@code native/test/jvm_host.c},
 * {@code -Dcpylock.library=process}) checks: cpylock is bound to the
 * interpreter already in the process, and Java and Python threads wake each
 * other on one {@code PyMutex} byte. Throws on a failure (the host then exits
 * with status 1).
 */
public final class HostedScenarios {
    private HostedScenarios() {
    }

    public static void main(String[] args) throws Exception {
        Path library = CPython.interpreter().orElseThrow(() -> new AssertionError("not bound to an interpreter"));
        if (!Files.exists(library)) {
            throw new AssertionError("the interpreter's library " + library + " does not exist");
        }
        System.out.println("HostedScenarios: cpylock bound to " + library + ", CPython " + CPython.version() + ", "
                + CPython.flavour().id());
        try (Arena arena = Arena.ofShared()) {
            Python.Ints ints = Python.Ints.allocate(arena, 4);
            SharedLockScenarios.pythonParksOnAByteJavaHolds(ints);
            System.out.println("HostedScenarios: ok a Python thread parks on a byte Java holds");
            Python.Ints more = Python.Ints.allocate(arena, 4);
            SharedLockScenarios.javaParksOnAByteAPythonThreadHolds(more);
            System.out.println("HostedScenarios: ok Java threads park on a byte a Python thread holds");
        }
        System.out.println("HostedScenarios: ok");
    }
}
