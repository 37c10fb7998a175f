package org.cpylock.stress;

import org.cpylock.CPython;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The soak test: the load workloads, round after round with smaller counts,
 * for a given number of minutes; reports operations and failures per
 * workload.
 *
 * <pre>
 * Soak [--minutes N] [--threads N]     (defaults: 10 minutes, 8 threads)
 * </pre>
 * Exits with status 1 if any workload reports a failure.
 */
public final class Soak {
    private static final long OPERATIONS_PER_ROUND = 100_000;
    private static final long PING_PONG_ROUNDS = 10_000;

    private Soak() {
    }

    public static void main(String[] args) {
        double minutes = 10;
        int threads = 8;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--minutes" -> minutes = Double.parseDouble(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.out.printf(Locale.ROOT, "Soak: CPython %s, %s flavour, %s minutes, %d threads%n", CPython.version(),
                CPython.flavour().id(), minutes, threads);
        long end = System.nanoTime() + (long) (minutes * 60e9);
        Map<String, long[]> totals = new LinkedHashMap<>();
        int round = 0;
        while (System.nanoTime() < end) {
            round++;
            for (Workloads.Workload workload : Workloads.all()) {
                boolean pingPong = workload.name().endsWith("ping-pong");
                Workloads.Result result = workload.run(pingPong ? 2 : threads,
                        pingPong ? PING_PONG_ROUNDS : OPERATIONS_PER_ROUND);
                long[] total = totals.computeIfAbsent(result.name(), name -> new long[2]);
                total[0] += result.operations();
                total[1] += result.failures();
            }
            System.err.printf(Locale.ROOT, "Soak: round %d done, %.1f minutes left%n", round,
                    Math.max(0, (end - System.nanoTime()) / 60e9));
        }
        System.out.printf("%-28s%18s%10s%n", "Workload", "Operations", "Failures");
        long failures = 0;
        for (Map.Entry<String, long[]> entry : totals.entrySet()) {
            System.out.printf(Locale.ROOT, "%-28s%,18d%10d%n", entry.getKey(), entry.getValue()[0],
                    entry.getValue()[1]);
            failures += entry.getValue()[1];
        }
        System.out.printf("Soak: %d rounds, %s%n", round, failures == 0 ? "no failures" : failures + " failures");
        if (failures != 0) {
            System.exit(1);
        }
    }
}
