package org.cpylock.stress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Runs a stress program in a JVM of its own under a kill timer: a JVM that
 * cpylock had wedged could not end, or even fail, a test inside itself
 * (no safepoint completes, {@code System.exit} and {@code SIGTERM} hang).
 * The child gets this JVM's class path, {@code --enable-native-access}, the
 * flavour, and its VM output (thread dumps) in a log file beside its output.
 *
 * <pre>
 * GuardedJvm FLAVOUR LIMIT_SECONDS OUTPUT_DIR MAIN_CLASS [ARGS...]
 * </pre>
 * prints the child's output and exits with its status, or with 3 if the
 * limit passed and the child was killed.
 */
final class GuardedJvm {
    /** Exit status reported for a child killed at its limit. */
    static final int KILLED = 3;

    /** What a guarded run did. */
    record Outcome(int status, Path output) {
        boolean killed() {
            return status == KILLED;
        }

        String text() {
            try {
                return Files.readString(output);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private GuardedJvm() {
    }

    /** Runs {@code main} with {@code args} in the given flavour; kills it after {@code limit}. */
    static Outcome run(String flavour, Duration limit, Path outputDir, String main, List<String> args) {
        try {
            Files.createDirectories(outputDir);
            String name = main.substring(main.lastIndexOf('.') + 1) + "-" + flavour;
            Path output = outputDir.resolve(name + ".out");
            List<String> command = new ArrayList<>(List.of(
                    ProcessHandle.current().info().command().orElse("java"),
                    "--enable-native-access=ALL-UNNAMED",
                    "-Dcpylock.flavour=" + flavour,
                    "-XX:+UnlockDiagnosticVMOptions", "-XX:-DisplayVMOutput", "-XX:+LogVMOutput",
                    "-XX:LogFile=" + outputDir.resolve(name + ".vm.log"),
                    "-cp", System.getProperty("java.class.path")));
            for (String property : List.of("cpylock.test.dir", "cpylock.cache.dir")) {
                String value = System.getProperty(property);
                if (value != null) {
                    command.add("-D" + property + "=" + value);
                }
            }
            command.add(main);
            command.addAll(args);
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                Files.writeString(output, String.format(Locale.ROOT,
                        "%nGuardedJvm: killed after %d s: the JVM did not finish (hung or wedged)%n",
                        limit.toSeconds()), java.nio.file.StandardOpenOption.APPEND);
                return new Outcome(KILLED, output);
            }
            return new Outcome(process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while guarding " + main, e);
        }
    }

    public static void main(String[] args) {
        if (args.length < 4) {
            System.err.println("usage: GuardedJvm FLAVOUR LIMIT_SECONDS OUTPUT_DIR MAIN_CLASS [ARGS...]");
            System.exit(64);
        }
        Outcome outcome = run(args[0], Duration.ofSeconds(Long.parseLong(args[1])), Path.of(args[2]), args[3],
                Arrays.asList(args).subList(4, args.length));
        System.out.print(outcome.text());
        System.exit(outcome.status());
    }
}
