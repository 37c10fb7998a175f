package org.cpylock.testing;

import org.cpylock.CPython;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.abort;
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
     * Skips the test when this run's JVM is emulated ({@code -Dcpylock.test.emulated}
     * names the emulator), saying why it cannot run there.
     */
    public static void assumeNotEmulated(String why) {
        String emulator = System.getProperty("cpylock.test.emulated");
        if (emulator != null) {
            skip("not under " + emulator + ": " + why);
        }
    }

    /**
     * The libpython of the given flavour the build made, named by the system
     * property {@code cpylock.test.libpython.<flavour>} (the Maven build sets it).
     * A value {@code none} says that the build has none for this run's
     * platform: the test is skipped, saying so.
     */
    public static Path libpython(String flavour) {
        String property = "cpylock.test.libpython." + flavour;
        String value = System.getProperty(property);
        if ("none".equals(value)) {
            skip("no " + flavour + " interpreter: the build has none for " + System.getProperty("os.arch")
                    + " (" + property + "=none)");
        }
        if (value == null || !Files.exists(Path.of(value))) {
            throw new IllegalStateException("no " + flavour + " interpreter for the embedding tests: " + property + "="
                    + value + " (the Maven build runs native/build-interpreter.sh " + flavour + " LINK first)");
        }
        return Path.of(value);
    }

    /** Skips the test, printing the reason where the build's output shows it. */
    private static void skip(String reason) {
        System.out.println("skipped: " + reason);
        abort(reason);
    }
}
