package org.cpylock.stress;

import org.cpylock.CPython;

import java.util.Locale;

/**
 * The load test: every primitive under several threads, with a check of
 * every operation (see {@link Workloads}).
 *
 * <pre>
 * LoadTest [--threads N] [--operations N] [--rounds N]
 *   --threads     threads per lock workload (default 8)
 *   --operations  operations per thread (default 1,000,000)
 *   --rounds      ping-pong rounds of the event and parking-lot workloads (default 100,000)
 * </pre>
 * Exits with status 1 if any workload reports a failure.
 */
public final class LoadTest {
    private LoadTest() {
    }

    public static void main(String[] args) {
        int threads = 8;
        long operations = 1_000_000;
        long rounds = 100_000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--operations" -> operations = Long.parseLong(args[++i]);
                case "--rounds" -> rounds = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.out.printf(Locale.ROOT, "LoadTest: CPython %s, %s flavour, %d threads x %,d operations; %,d rounds%n",
                CPython.version(), CPython.flavour().id(), threads, operations, rounds);
        System.out.printf("%-28s%8s%16s%10s%14s%10s%n", "Workload", "Threads", "Operations", "Seconds", "Ops/s",
                "Failures");
        long failures = 0;
        for (Workloads.Workload workload : Workloads.all()) {
            boolean pingPong = workload.name().endsWith("ping-pong");
            Workloads.Result result = workload.run(pingPong ? 2 : threads, pingPong ? rounds : operations);
            double seconds = result.nanos() / 1e9;
            System.out.printf(Locale.ROOT, "%-28s%8d%,16d%10.2f%,14.0f%10d%n", result.name(),
                    pingPong ? 2 : threads, result.operations(), seconds, result.operations() / seconds,
                    result.failures());
            failures += result.failures();
        }
        System.out.printf("LoadTest: %s%n", failures == 0 ? "no failures" : failures + " failures");
        if (failures != 0) {
            System.exit(1);
        }
    }
}
