package org.cpylock.embed;

import org.cpylock.CPython;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Which backend a test run uses: the bundled library, or an interpreter
 * ({@code -Dcpylock.library}); and the interpreters the build made for the
 * embedding tests ({@code native/build-interpreter.sh}).
 */
public final class Backends {
    private Backends() {
    }

    /** Skips the test unless this run uses the bundled library. */
    public static void assumeBundled(String why) {
        assumeTrue(CPython.interpreter().isEmpty(), "bundled library only: " + why);
    }

    /** Skips the test unless this run is bound to an interpreter. */
    public static void assumeInterpreter() {
        assumeTrue(CPython.interpreter().isPresent(), "interpreter backend only (-Dcpylock.library)");
    }

    /**
     * The libpython of the given flavour the build made, named by the system
     * property {@code cpylock.test.libpython.<flavour>} (the Maven build sets it).
     */
    public static Path libpython(String flavour) {
        String property = "cpylock.test.libpython." + flavour;
        String value = System.getProperty(property);
        if (value == null || !Files.exists(Path.of(value))) {
            throw new IllegalStateException("no " + flavour + " interpreter for the embedding tests: " + property + "="
                    + value + " (the Maven build runs native/build-interpreter.sh " + flavour + " LINK first)");
        }
        return Path.of(value);
    }
}
