package org.cpylock.embed;

import org.cpylock.CPython;
import org.cpylock.testing.Backends;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * CPython as most people have it: linked into its executable, which exports
 * the C API (CPython's default build, as Debian's, Ubuntu's and
 * python-build-standalone's are), hosting the JVM as JPype does
 * ({@code host_jvm.py}, through ctypes), in the flavour of this run's
 * interpreter (run in the interpreter backends only, once per flavour).
 * Started by absolute path it runs {@link InterpreterTest} against itself
 * (Java and Python threads on one {@code PyMutex} and {@code PyEvent},
 * critical sections on a list, {@code gc.collect()}); started by a relative
 * path and through a symbolic link, it binds and shares a mutex; started
 * without {@code -Dcpylock.library}, the bundled library warns that it is not
 * bound to it.
 */
@Execution(ExecutionMode.CONCURRENT) // waits for child processes
class StaticInterpreterTest {
    private static final Path OUTPUT = Path.of("target", "embed");
    private static final Path SCRIPT = Path.of("tests", "core", "src", "test", "java", "org", "cpylock", "embed", "host_jvm.py").toAbsolutePath();

    private Path python;

    @BeforeEach
    void interpreterBackendOnly() throws IOException {
        Backends.assumeInterpreter();
        Backends.assumeNotEmulated("no CPython executable for this platform is built here to host the JVM");
        String property = "cpylock.test.python." + CPython.flavour().id() + "-static";
        String value = System.getProperty(property);
        assumeTrue(value != null && Files.exists(Path.of(value)),
                "no static interpreter (" + property + "=" + value + ")");
        python = Path.of(value).toRealPath();
    }

    @Test
    void theInterpreterTestsRunInAJvmTheExecutableHosts() throws Exception {
        String text = host("suite", List.of(python.toString()), null, List.of("-Dcpylock.library=process"),
                HostedSuite.class.getName(), List.of(InterpreterTest.class.getName()));
        assertTrue(text.contains("HostedSuite: cpylock bound to " + python), text);
        assertTrue(text.contains("HostedSuite: passed"), text);
    }

    @Test
    void startedByARelativePathItBinds() throws Exception {
        String text = host("relative", List.of("./" + python.getFileName()), python.getParent(),
                List.of("-Dcpylock.library=process"), HostedScenarios.class.getName(), List.of());
        assertTrue(text.contains("HostedScenarios: cpylock bound to " + python), text);
        assertTrue(text.contains("HostedScenarios: ok\n"), text);
    }

    /** As a shell runs {@code python3 x.py}: found on the PATH, a link to the executable, argv[0] "python3". */
    @Test
    void startedThroughASymbolicLinkOnThePathItBinds() throws Exception {
        Path bin = Files.createDirectories(OUTPUT.resolve("bin-" + CPython.flavour().id())).toAbsolutePath();
        Path link = bin.resolve("python3");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, python);
        String text = host("symlink", List.of("env", "PATH=" + bin + ":/usr/bin:/bin", "python3"),
                OUTPUT.toAbsolutePath(), List.of("-Dcpylock.library=process"), HostedScenarios.class.getName(),
                List.of());
        assertTrue(text.contains("HostedScenarios: cpylock bound to " + python), text);
        assertTrue(text.contains("HostedScenarios: ok\n"), text);
    }

    @Test
    void withoutBindingTheBundledLibraryWarns() throws Exception {
        String text = host("unbound", List.of(python.toString()), null, List.of(), UnboundReport.class.getName(),
                List.of());
        String flavour = CPython.flavour().id();
        assertTrue(text.contains("UnboundReport: " + flavour + " flavour"), "the host interpreter's flavour: " + text);
        assertTrue(text.contains("warning: this process runs a CPython interpreter (linked into the executable "
                + python), text);
        assertTrue(text.contains("-Dcpylock.library=process"), text);
        assertTrue(text.contains("WARNING"), "logged on System.Logger: " + text);
    }

    /**
     * Runs {@code main} in a JVM that {@code python host_jvm.py}, started by
     * {@code python} (the command words before the script), hosts; its output.
     */
    private String host(String label, List<String> python, Path directory, List<String> jvmOptions, String main,
                        List<String> args) throws IOException, InterruptedException {
        Files.createDirectories(OUTPUT);
        Path libjvm = Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");
        List<String> line = new ArrayList<>(python);
        line.addAll(List.of(SCRIPT.toString(), libjvm.toString(), absoluteClassPath(), main));
        line.addAll(jvmOptions);
        line.add("--");
        line.addAll(args);
        Path output = OUTPUT.resolve("static-" + CPython.flavour().id() + "-" + label + ".out").toAbsolutePath();
        ProcessBuilder builder = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(output.toFile());
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        builder.environment().remove("PYTHONHOME");
        Process process = builder.start();
        if (!process.waitFor(300, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("the hosting process did not finish within 300 s:\n" + Files.readString(output));
        }
        String text = Files.readString(output);
        assertEquals(0, process.exitValue(), text);
        return text;
    }

    /** This JVM's class path with every entry absolute, for a JVM started in another directory. */
    private static String absoluteClassPath() {
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    /** Prints what cpylock says of itself and its flavour, unbound, in a process that runs an interpreter. */
    public static final class UnboundReport {
        private UnboundReport() {
        }

        public static void main(String[] args) {
            System.out.println("UnboundReport: " + CPython.flavour().id() + " flavour");
            System.out.println(CPython.describe());
        }
    }
}
