package org.cpylock.embed;

import org.cpylock.CPython;
import org.cpylock.testing.Backends;
import org.cpylock.testing.GuardedJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What cannot keep CPython's semantics is refused with an
 * {@link IllegalStateException} naming both sides, in a JVM of its own each:
 * an interpreter that is not 3.13, one of the other flavour than asked for, a
 * second libpython in a process that has one, {@code process} with none.
 */
@Execution(ExecutionMode.CONCURRENT) // waits for child processes
class BindingRefusalTest {
    private static final Path OUTPUT = Path.of("target", "embed");

    @Test
    void anInterpreterOtherThan313IsRefused() {
        Path fake = Path.of(System.getProperty("cpylock.test.dir", "target/native/test-support"))
                .resolve(System.mapLibraryName("cpylock-fake-python")).toAbsolutePath();
        String message = refusal("not-3.13", List.of("-Dcpylock.library=" + fake));
        assertTrue(message.contains("CPython 3.12.5") && message.contains("3.13"), message);
    }

    @Test
    void anInterpreterOfTheOtherFlavourIsRefused() {
        String message = refusal("other-flavour", List.of(
                "-Dcpylock.library=" + Backends.libpython("free-threaded"), "-Dcpylock.flavour=default"));
        assertTrue(message.contains("free-threaded") && message.contains("default"), message);
    }

    @Test
    void aSecondLibpythonIsRefused() {
        Path present = Backends.libpython("default");
        String message = refusal("second-interpreter", List.of("-Dcpylock.library=" + Backends.libpython("free-threaded")),
                "--preload", present.toString());
        assertTrue(message.contains("already has a CPython interpreter") && message.contains("=process"), message);
    }

    @Test
    void processWithoutAnInterpreterIsRefused() {
        String message = refusal("process-without-interpreter", List.of("-Dcpylock.library=process"));
        assertTrue(message.contains("no CPython interpreter"), message);
    }

    private static String refusal(String label, List<String> jvmOptions, String... args) {
        Backends.assumeBundled("each case starts a JVM of its own; once per flavour run is enough");
        GuardedJvm.Outcome outcome = GuardedJvm.run(new GuardedJvm.Launch(CPython.flavour().id(),
                Duration.ofSeconds(60), OUTPUT, "refusal-" + label + "-" + CPython.flavour().id(), jvmOptions,
                Map.of(), BindingRefusals.class.getName(), List.of(args)));
        String text = outcome.text();
        assertEquals(0, outcome.status(), () -> label + ": not refused:\n" + text);
        int start = text.indexOf("REFUSED: ");
        return text.substring(start + "REFUSED: ".length()).strip();
    }
}
