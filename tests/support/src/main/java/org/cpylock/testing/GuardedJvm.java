package org.cpylock.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs a test program in a JVM of its own under a kill timer: a JVM that
 * cpylock had wedged could not end, or even fail, a test inside itself
 * (no safepoint completes, {@code System.exit} and {@code SIGTERM} hang),
 * and some tests need a process of their own (a libpython loaded into it).
 * The child gets this JVM's class path, {@code --enable-native-access}, the
 * flavour, and its VM output (thread dumps) in a log file beside its output;
 * with {@code -Dcpylock.test.nice=N} it runs at that lower priority.
 *
 * <pre>
 * GuardedJvm FLAVOUR LIMIT_SECONDS OUTPUT_DIR MAIN_CLASS [ARGS...]
 * </pre>
 * prints the child's output and exits with its status, or with 3 if the
 * limit passed and the child was killed.
 */
public final class GuardedJvm {
    /** Exit status reported for a child killed at its limit. */
    public static final int KILLED = 3;

    /**
     * A child to run: {@code main} with {@code args} in {@code flavour},
     * killed after {@code limit}; its output goes to
     * {@code outputDir/<label>.out}, its VM log beside it.
     */
    public record Launch(String flavour, Duration limit, Path outputDir, String label, List<String> jvmOptions,
                         Map<String, String> environment, String main, List<String> args) {
        /** A stress program's launch: labelled by its class and flavour, no extra options. */
        public static Launch of(String flavour, Duration limit, Path outputDir, String main, List<String> args) {
            return of(flavour, Optional.empty(), limit, outputDir, main, args);
        }

        /**
         * A stress program's launch, bound to {@code library} if present
         * ({@code -Dcpylock.library}): labelled by its class, flavour and backend.
         */
        public static Launch of(String flavour, Optional<String> library, Duration limit, Path outputDir, String main,
                                List<String> args) {
            String label = main.substring(main.lastIndexOf('.') + 1) + "-" + flavour
                    + (library.isPresent() ? "-interpreter" : "");
            return new Launch(flavour, limit, outputDir, label,
                    library.map(path -> List.of("-Dcpylock.library=" + path)).orElse(List.of()), Map.of(), main, args);
        }
    }

    /** What a guarded run did. */
    public record Outcome(int status, Path output) {
        public boolean killed() {
            return status == KILLED;
        }

        public String text() {
            try {
                return Files.readString(output);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private GuardedJvm() {
    }

    /**
     * The java launcher of the children: {@code -Dcpylock.test.java} if set
     * (an emulated JVM's launcher script, which its own process does not
     * show), else this JVM's.
     */
    public static String launcher() {
        return System.getProperty("cpylock.test.java", ProcessHandle.current().info().command().orElse("java"));
    }

    /** Runs the child; kills it after its limit. */
    public static Outcome run(Launch launch) {
        try {
            Files.createDirectories(launch.outputDir());
            Path output = launch.outputDir().resolve(launch.label() + ".out");
            List<String> command = new ArrayList<>();
            String nice = System.getProperty("cpylock.test.nice");
            if (nice != null) {
                command.addAll(List.of("nice", "-n", nice));
            }
            command.addAll(List.of(
                    launcher(),
                    "--enable-native-access=ALL-UNNAMED",
                    "-Dcpylock.flavour=" + launch.flavour(),
                    "-XX:+UnlockDiagnosticVMOptions", "-XX:-DisplayVMOutput", "-XX:+LogVMOutput",
                    "-XX:LogFile=" + launch.outputDir().resolve(launch.label() + ".vm.log"),
                    "-cp", System.getProperty("java.class.path")));
            for (String property : List.of("cpylock.test.dir", "cpylock.cache.dir", "cpylock.test.java")) {
                String value = System.getProperty(property);
                if (value != null) {
                    command.add("-D" + property + "=" + value);
                }
            }
            command.addAll(launch.jvmOptions());
            command.add(launch.main());
            command.addAll(launch.args());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().putAll(launch.environment());
            Process process = builder.start();
            if (!process.waitFor(launch.limit().toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                Files.writeString(output, String.format(Locale.ROOT,
                        "%nGuardedJvm: killed after %d s: the JVM did not finish (hung or wedged)%n",
                        launch.limit().toSeconds()), StandardOpenOption.APPEND);
                return new Outcome(KILLED, output);
            }
            return new Outcome(process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while guarding " + launch.main(), e);
        }
    }

    public static void main(String[] args) {
        if (args.length < 4) {
            System.err.println("usage: GuardedJvm FLAVOUR LIMIT_SECONDS OUTPUT_DIR MAIN_CLASS [ARGS...]");
            System.exit(64);
        }
        Outcome outcome = run(Launch.of(args[0], Duration.ofSeconds(Long.parseLong(args[1])), Path.of(args[2]),
                args[3], Arrays.asList(args).subList(4, args.length)));
        System.out.print(outcome.text());
        System.exit(outcome.status());
    }
}
