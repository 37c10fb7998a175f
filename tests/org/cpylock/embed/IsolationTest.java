package org.cpylock.embed;

import org.cpylock.CPython;
import org.cpylock.stress.GuardedJvm;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bundled library stays itself beside a real libpython of either flavour
 * in the same process, loaded globally before or after cpylock's first use
 * ({@link IsolationScenarios}, each in a JVM of its own); and the dynamic
 * linker binds none of the library's references to libpython
 * ({@code LD_DEBUG=bindings}).
 */
class IsolationTest {
    private static final Path OUTPUT = Path.of("target", "embed");

    @ParameterizedTest(name = "{0} libpython loaded {1} cpylock''s first use")
    @CsvSource({"free-threaded, before", "free-threaded, after", "default, before", "default, after"})
    void bundledLibraryBesideALibpython(String pythonFlavour, String when) throws IOException {
        Backends.assumeBundled("the isolation of the bundled library");
        String flavour = CPython.flavour().id();
        String label = "isolation-" + flavour + "-beside-" + pythonFlavour + "-" + when;
        Path bindings = OUTPUT.resolve(label + ".ld-debug").toAbsolutePath();
        Files.createDirectories(OUTPUT);
        try (Stream<Path> old = Files.list(OUTPUT)) {
            for (Path file : old.filter(f -> f.getFileName().toString().startsWith(label + ".ld-debug")).toList()) {
                Files.delete(file);
            }
        }
        GuardedJvm.Outcome outcome = GuardedJvm.run(new GuardedJvm.Launch(flavour, Duration.ofSeconds(120), OUTPUT,
                label, List.of(), Map.of("LD_DEBUG", "bindings", "LD_DEBUG_OUTPUT", bindings.toString()),
                IsolationScenarios.class.getName(),
                List.of(Backends.libpython(pythonFlavour).toString(), when)));
        assertEquals(0, outcome.status(), () -> "the scenarios failed beside " + pythonFlavour + " libpython ("
                + outcome.output() + "):\n" + outcome.text());

        // LD_DEBUG writes one file per process: <bindings>.<pid>.
        List<String> crossings;
        try (Stream<Path> files = Files.list(OUTPUT)) {
            List<Path> logs = files.filter(f -> f.getFileName().toString().startsWith(label + ".ld-debug")).toList();
            assertTrue(!logs.isEmpty(), "LD_DEBUG wrote nothing to " + bindings);
            crossings = logs.stream().flatMap(IsolationTest::lines)
                    .filter(line -> line.contains("binding file") && line.contains("libcpylock-" + flavour + ".so")
                            && line.contains(" to ") && line.substring(line.indexOf(" to ")).contains("libpython"))
                    .toList();
        }
        assertEquals(List.of(), crossings, "references of the bundled library bound to libpython");
    }

    private static Stream<String> lines(Path file) {
        try {
            return Files.readAllLines(file).stream();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
