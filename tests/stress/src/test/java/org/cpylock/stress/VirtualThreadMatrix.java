package org.cpylock.stress;

import org.cpylock.CPython;
import org.cpylock.testing.GuardedJvm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every {@link VirtualThreadScenarios} scenario alone, in a JVM of its own
 * under a kill timer, with 1 and 2 carriers, in this JVM's flavour and
 * backend: the stress profile's run, with many waiters.
 *
 * <pre>
 * VirtualThreadMatrix [--waiters K] [--limit SECONDS]   (defaults 10,000 and 300)
 * </pre>
 * Prints a line per run; exits with status 1 if one failed or was killed.
 */
public final class VirtualThreadMatrix {
    private static final Path OUTPUT = Path.of("target", "virtual-threads");

    private VirtualThreadMatrix() {
    }

    public static void main(String[] args) {
        int waiters = 10_000;
        int limit = 300;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--waiters" -> waiters = Integer.parseInt(args[++i]);
                case "--limit" -> limit = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        String flavour = CPython.flavour().id();
        System.out.printf("VirtualThreadMatrix: %s flavour, %d waiters per scenario%n", flavour, waiters);
        List<String> failures = new ArrayList<>();
        for (int carriers = 1; carriers <= 2; carriers++) {
            for (String scenario : VirtualThreadScenarios.applicable()) {
                String label = "matrix-" + flavour + "-P" + carriers + "-K" + waiters + "-" + scenario;
                long start = System.nanoTime();
                GuardedJvm.Outcome outcome = GuardedJvm.run(new GuardedJvm.Launch(flavour, Duration.ofSeconds(limit),
                        OUTPUT, label, List.of("-Djdk.virtualThreadScheduler.parallelism=" + carriers,
                        "-Djdk.virtualThreadScheduler.maxPoolSize=" + carriers), Map.of(),
                        VirtualThreadScenarios.class.getName(), List.of(Integer.toString(waiters), scenario)));
                String verdict = outcome.status() == 0 ? "ok" : outcome.killed() ? "KILLED (hung)" : "FAILED";
                System.out.printf("  %-28s %d carrier%s  %-14s %6.1f s  %s%n", scenario, carriers,
                        carriers == 1 ? " " : "s", verdict, (System.nanoTime() - start) / 1e9, outcome.output());
                if (outcome.status() != 0) {
                    failures.add(label);
                }
            }
        }
        System.out.println(failures.isEmpty() ? "VirtualThreadMatrix: no failures" : "VirtualThreadMatrix: " + failures);
        System.exit(failures.isEmpty() ? 0 : 1);
    }
}
