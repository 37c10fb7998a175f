package org.cpylock.embed;

import org.cpylock.CPython;
import org.cpylock.testing.Backends;
import org.cpylock.testing.GuardedJvm;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bundled library stays itself beside a real libpython of either flavour
 * in the same process, however the libpython came in
 * ({@link IsolationScenarios}, each way in a JVM of its own): loaded globally
 * before or after cpylock's first use, as an embedding program loads it; or
 * brought in by a library linked against it (as JPype's and JEP's JNI
 * libraries are) that is loaded with {@link System#load} by cpylock's class
 * loader, ordered before or after cpylock's own library in the loader's
 * lookup, or by another class loader. For the global loads, the dynamic
 * linker also binds none of the library's references to libpython
 * ({@code LD_DEBUG=bindings}).
 */
@Execution(ExecutionMode.CONCURRENT) // waits for child processes
class IsolationTest {
    private static final Path OUTPUT = Path.of("target", "embed");
    private static final Path TEST_SUPPORT = Path.of(System.getProperty("cpylock.test.dir",
            "target/native/test-support"));

    @ParameterizedTest(name = "{0} libpython, {1}")
    @CsvSource({"free-threaded, dlopen-before", "free-threaded, dlopen-after", "default, dlopen-before",
            "default, dlopen-after"})
    void bundledLibraryBesideAGlobalLibpython(String pythonFlavour, String way) throws IOException {
        Backends.assumeBundled("the isolation of the bundled library");
        String flavour = CPython.flavour().id();
        String label = "isolation-" + flavour + "-beside-" + pythonFlavour + "-" + way;
        Path bindings = OUTPUT.resolve(label + ".ld-debug").toAbsolutePath();
        Files.createDirectories(OUTPUT);
        try (Stream<Path> old = Files.list(OUTPUT)) {
            for (Path file : old.filter(f -> f.getFileName().toString().startsWith(label + ".ld-debug")).toList()) {
                Files.delete(file);
            }
        }
        run(label, List.of(), Map.of("LD_DEBUG", "bindings", "LD_DEBUG_OUTPUT", bindings.toString()), way,
                Backends.libpython(pythonFlavour), pythonFlavour);

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

    @ParameterizedTest(name = "{0} libpython, {1}")
    @CsvSource({"free-threaded, jni-first", "free-threaded, jni-last", "free-threaded, jni-other-loader",
            "default, jni-first", "default, jni-last", "default, jni-other-loader"})
    void bundledLibraryBesideAJniLibraryLinkedToLibpython(String pythonFlavour, String way) throws IOException {
        Backends.assumeBundled("the isolation of the bundled library");
        String label = "isolation-" + CPython.flavour().id() + "-beside-" + pythonFlavour + "-" + way;
        Path libpythonDirectory = Backends.libpython(pythonFlavour).toRealPath().getParent();
        run(label, List.of("--add-opens=java.base/java.lang=ALL-UNNAMED",
                        "--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED"),
                Map.of("LD_LIBRARY_PATH", libpythonDirectory.toString()), way,
                TEST_SUPPORT.resolve("libcpylock-python-jni-" + pythonFlavour + ".so"), pythonFlavour);
    }

    private static void run(String label, List<String> options, Map<String, String> environment, String way,
                            Path library, String pythonFlavour) {
        List<String> jvmOptions = new ArrayList<>(options);
        // C1 only: the scenarios check bindings and wake-ups, not compiled code, and ten short JVMs'
        // C2 compilations took a third of the test's CPU.
        jvmOptions.add("-XX:TieredStopAtLevel=1");
        // A lost wake-up fails in 10 s; an emulated JVM may take longer merely to get there.
        jvmOptions.add("-Dcpylock.tck.hang-seconds=" + (System.getProperty("cpylock.test.emulated") == null ? 10 : 60));
        GuardedJvm.Outcome outcome = GuardedJvm.run(new GuardedJvm.Launch(CPython.flavour().id(),
                Duration.ofSeconds(120), OUTPUT, label, jvmOptions, environment, IsolationScenarios.class.getName(),
                List.of(way, library.toAbsolutePath().toString())));
        assertEquals(0, outcome.status(), () -> "the scenarios failed beside " + pythonFlavour + " libpython, " + way
                + " (" + outcome.output() + "):\n" + outcome.text());
    }

    private static Stream<String> lines(Path file) {
        try {
            return Files.readAllLines(file).stream();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
