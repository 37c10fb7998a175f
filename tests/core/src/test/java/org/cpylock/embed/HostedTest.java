package org.cpylock.embed;

import org.cpylock.CPython;
import org.cpylock.testing.Backends;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * (f) CPython hosts the JVM: {@code native/test/jvm_host.c}, compiled here
 * against this run's libpython and the JDK's libjvm, initializes the
 * interpreter, creates a JVM with {@code -Dcpylock.library=process}, and runs
 * {@link HostedScenarios} in it.
 */
class HostedTest {
    private static final Path OUTPUT = Path.of("target", "embed");

    @Test
    void cpythonHostsTheJvm() throws IOException, InterruptedException {
        Backends.assumeInterpreter();
        Backends.assumeNotEmulated("the test compiles its hosting program with this machine's cc");
        Path libpython = CPython.interpreter().orElseThrow().toRealPath();
        Path prefix = libpython.getParent().getParent();
        Path javaHome = Path.of(System.getProperty("java.home"));
        Path include;
        try (Stream<Path> dirs = Files.list(prefix.resolve("include"))) {
            include = dirs.filter(d -> d.getFileName().toString().startsWith("python3")).findFirst().orElseThrow();
        }
        Files.createDirectories(OUTPUT);
        Path host = OUTPUT.resolve("jvm_host-" + CPython.flavour().id()).toAbsolutePath();
        run(List.of("cc", "-o", host.toString(), Path.of("native", "test", "jvm_host.c").toString(),
                "-I" + include, "-I" + javaHome.resolve("include"), "-I" + javaHome.resolve("include/linux"),
                "-L" + libpython.getParent(), "-l:" + libpython.getFileName(),
                "-L" + javaHome.resolve("lib/server"), "-ljvm",
                "-Wl,-rpath," + libpython.getParent(), "-Wl,-rpath," + javaHome.resolve("lib/server")),
                OUTPUT.resolve("jvm_host-build.out"), 0);

        List<String> command = new ArrayList<>(List.of(host.toString(), System.getProperty("java.class.path"),
                HostedScenarios.class.getName()));
        Path output = OUTPUT.resolve("hosted-" + CPython.flavour().id() + ".out");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().put("PYTHONHOME", prefix.toString());
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("the hosting process did not finish within 120 s:\n" + Files.readString(output));
        }
        String text = Files.readString(output);
        assertEquals(0, process.exitValue(), text);
        assertTrue(text.contains("HostedScenarios: ok\n"), text);
        assertTrue(text.contains("cpylock bound to " + libpython.getParent()), text);
    }

    private static void run(List<String> command, Path output, int expected) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "compiling the host timed out");
        assertEquals(expected, process.exitValue(), () -> String.join(" ", command) + ":\n" + read(output));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
