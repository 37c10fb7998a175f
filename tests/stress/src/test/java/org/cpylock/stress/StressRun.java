package org.cpylock.stress;

import org.cpylock.testing.GuardedJvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The stress and soak profiles' launcher: runs stress jobs one after the
 * other, each in a JVM of its own, for every flavour and backend given, and
 * exits with 1 if any failed.
 *
 * <pre>
 * StressRun OUTPUT_DIR FLAVOURS BACKENDS JOB...
 * </pre>
 * FLAVOURS and BACKENDS are comma-separated: {@code free-threaded},
 * {@code default}; {@code bundled} (the library in the jar),
 * {@code interpreter} (bound to the real interpreter of the flavour that
 * {@code -Dcpylock.test.libpython.<flavour>} names). The jobs, and the
 * system properties that set them:
 * <ul>
 *   <li>{@code load}: {@link LoadTest} ({@code load.args});
 *   <li>{@code interrupt-storm}: {@link InterruptStorm} for {@code storm.seconds}, and
 *       {@code signal-storm}: {@link SignalStorm} for {@code signal.seconds}, under a kill
 *       timer ({@link GuardedJvm}, {@code storm.limit}, {@code signal.limit}), output in
 *       {@code OUTPUT_DIR/storms}; bound to an interpreter, the signal storm's handler keeps
 *       {@code SA_RESTART} ({@code --restart-only});
 *   <li>{@code interrupt-latency}: {@link InterruptLatency};
 *   <li>{@code virtual-threads}: {@link VirtualThreadMatrix} ({@code virtual.waiters});
 *   <li>{@code jcstress}: the jcstress tests ({@code jcstress.mode}), results in
 *       {@code OUTPUT_DIR/jcstress/<flavour>[-interpreter]};
 *   <li>{@code soak}: {@link Soak} ({@code soak.minutes}).
 * </ul>
 */
public final class StressRun {
    private final Path output;

    private StressRun(Path output) {
        this.output = output;
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length < 4) {
            System.err.println("usage: StressRun OUTPUT_DIR FLAVOURS BACKENDS JOB...");
            System.exit(64);
        }
        StressRun run = new StressRun(Path.of(args[0]).toAbsolutePath());
        List<String> failed = new ArrayList<>();
        for (String job : Arrays.asList(args).subList(3, args.length)) {
            for (String flavour : args[1].split(",")) {
                for (String backend : args[2].split(",")) {
                    String name = job + " (" + flavour + ", " + backend + ")";
                    System.out.println("== stress: " + name);
                    if (run.run(job, flavour, library(backend, flavour)) != 0) {
                        failed.add(name);
                    }
                }
            }
        }
        if (!failed.isEmpty()) {
            System.err.println("stress: failed: " + String.join("; ", failed));
            System.exit(1);
        }
    }

    /** The library a backend binds ({@code -Dcpylock.library}): none for the bundled one. */
    private static Optional<String> library(String backend, String flavour) {
        return switch (backend) {
            case "bundled" -> Optional.empty();
            case "interpreter" -> Optional.of(property("cpylock.test.libpython." + flavour, null));
            default -> throw new IllegalArgumentException("unknown backend " + backend + " (bundled, interpreter)");
        };
    }

    private int run(String job, String flavour, Optional<String> backend) throws IOException, InterruptedException {
        return switch (job) {
            case "load" -> java(flavour, backend, "LoadTest", words(property("load.args", "")));
            case "interrupt-storm" -> guarded(flavour, backend, "InterruptStorm", property("storm.limit", "1500"),
                    List.of("--seconds", property("storm.seconds", "300")));
            // Bound, the interpreter's own raw-mutex waits need SA_RESTART (docs/RELIABILITY.md).
            case "signal-storm" -> guarded(flavour, backend, "SignalStorm", property("signal.limit", "480"),
                    backend.isPresent() ? List.of("--seconds", property("signal.seconds", "300"), "--restart-only")
                            : List.of("--seconds", property("signal.seconds", "300")));
            case "interrupt-latency" -> java(flavour, backend, "InterruptLatency", List.of());
            case "virtual-threads" -> java(flavour, backend, "VirtualThreadMatrix",
                    List.of("--waiters", property("virtual.waiters", "10000")));
            case "jcstress" -> jcstress(flavour, backend);
            case "soak" -> java(flavour, backend, "Soak", List.of("--minutes", property("soak.minutes", "10")));
            default -> throw new IllegalArgumentException("unknown job " + job);
        };
    }

    /** A stress program of this package in a JVM of its own, its output on this one's. */
    private int java(String flavour, Optional<String> backend, String program, List<String> args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(jvm(flavour, backend));
        command.add(StressRun.class.getPackageName() + "." + program);
        command.addAll(args);
        return new ProcessBuilder(command).inheritIO().start().waitFor();
    }

    /** A storm, which may wedge its JVM: under a kill timer. */
    private int guarded(String flavour, Optional<String> backend, String program, String limit, List<String> args) {
        GuardedJvm.Outcome outcome = GuardedJvm.run(GuardedJvm.Launch.of(flavour, backend,
                Duration.ofSeconds(Long.parseLong(limit)), output.resolve("storms"),
                StressRun.class.getPackageName() + "." + program, args));
        System.out.print(outcome.text());
        return outcome.status();
    }

    /** The jcstress tests; jcstress forks the JVMs that run them. */
    private int jcstress(String flavour, Optional<String> backend) throws IOException, InterruptedException {
        String results = flavour + (backend.isEmpty() ? "" : "-interpreter");
        List<String> command = new ArrayList<>(jvm(flavour, backend));
        command.addAll(List.of("org.openjdk.jcstress.Main", "-m", property("jcstress.mode", "quick"),
                "-t", "org.cpylock", "-r", output.resolve("jcstress").resolve(results).toString(),
                "-jvmArgsPrepend", String.join(" ", forkOptions(flavour, backend))));
        Files.createDirectories(output);
        return new ProcessBuilder(command).directory(output.toFile()).inheritIO().start().waitFor();
    }

    private static List<String> jvm(String flavour, Optional<String> backend) {
        List<String> command = new ArrayList<>(List.of(GuardedJvm.launcher()));
        command.addAll(forkOptions(flavour, backend));
        command.addAll(List.of("-cp", System.getProperty("java.class.path")));
        return command;
    }

    private static List<String> forkOptions(String flavour, Optional<String> backend) {
        List<String> options = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED",
                "-Dcpylock.flavour=" + flavour));
        backend.ifPresent(library -> options.add("-Dcpylock.library=" + library));
        return options;
    }

    private static String property(String name, String fallback) {
        String value = System.getProperty(name, fallback);
        if (value == null) {
            throw new IllegalArgumentException("-D" + name + " is not set");
        }
        return value;
    }

    private static List<String> words(String text) {
        return text.isBlank() ? List.of() : List.of(text.trim().split("\\s+"));
    }
}
