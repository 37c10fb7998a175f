package org.cpylock.embed;

import org.cpylock.CPython;
import org.cpylock.testing.Backends;
import org.cpylock.testing.GuardedJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * cpylock starts an interpreter nothing else has started: from the library's
 * own install prefix, leaving the starting thread detached, with extension
 * modules working ({@link InterpreterStart}, in a JVM of its own); and it
 * honours {@code PYTHONHOME}: a wrong one makes the start fail, reported as
 * an {@link IllegalStateException}.
 */
@Execution(ExecutionMode.CONCURRENT) // waits for child processes
class InterpreterStartTest {
    private static final Path OUTPUT = Path.of("target", "embed");

    @Test
    void cpylockStartsTheInterpreterFromItsOwnPrefix() throws IOException {
        Backends.assumeBundled("each case starts a JVM of its own; once per flavour run is enough");
        String flavour = CPython.flavour().id();
        Path libpython = Backends.libpython(flavour);
        GuardedJvm.Outcome outcome = GuardedJvm.run(new GuardedJvm.Launch(flavour, Duration.ofSeconds(60), OUTPUT,
                "start-" + flavour, List.of("-Dcpylock.library=" + libpython), Map.of(),
                InterpreterStart.class.getName(), List.of()));
        String text = outcome.text();
        assertEquals(0, outcome.status(), text);
        Path prefix = installPrefix(libpython);
        for (String line : List.of("initialized before: 0", "initialized after: 1", "this thread: detached",
                "prefix: " + prefix, "ctypes: 1")) {
            assertTrue(text.contains(line + "\n"), () -> "missing \"" + line + "\" in:\n" + text);
        }
    }

    /**
     * The prefix of the installation a libpython belongs to, as the
     * interpreter sees it: PREFIX/lib/libpython..., or PREFIX/lib/TRIPLET/libpython...
     * (Debian's); inside {@code -Dcpylock.test.sysroot} (an emulated JVM's),
     * a path from that root.
     */
    private static Path installPrefix(Path libpython) throws IOException {
        Path library = libpython.toRealPath();
        String sysroot = System.getProperty("cpylock.test.sysroot");
        if (sysroot != null) {
            library = Path.of("/").resolve(Path.of(sysroot).toRealPath().relativize(library));
        }
        Path directory = library.getParent();
        return directory.getFileName().toString().equals("lib") ? directory.getParent()
                : directory.getParent().getParent();
    }

    @Test
    void aWrongPythonHomeIsHonouredAndReported() {
        Backends.assumeBundled("each case starts a JVM of its own; once per flavour run is enough");
        String flavour = CPython.flavour().id();
        GuardedJvm.Outcome outcome = GuardedJvm.run(new GuardedJvm.Launch(flavour, Duration.ofSeconds(60), OUTPUT,
                "start-wrong-home-" + flavour, List.of("-Dcpylock.library=" + Backends.libpython(flavour)),
                Map.of("PYTHONHOME", "/nonexistent/python-home"), BindingRefusals.class.getName(), List.of()));
        String text = outcome.text();
        assertEquals(0, outcome.status(), () -> "not refused:\n" + text);
        assertTrue(text.contains("REFUSED: ") && text.contains("did not start"), text);
    }
}
