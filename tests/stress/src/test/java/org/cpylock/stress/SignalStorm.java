package org.cpylock.stress;

import org.cpylock.CPython;
import org.cpylock.internal.Native;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The signal storm: the load test's workloads (every primitive, any of which
 * can block on a parking-lot bucket's lock) run over and over while their
 * threads receive {@code SIGPROF} every {@code --interval} µs (its handler
 * installed with {@code SA_RESTART}, as a sampling profiler installs it, for
 * the first half of the time, and without it for the second), and the process receives
 * {@code SIGQUIT} (the JVM prints a thread dump, with the workload threads
 * inside their waits) every {@code --quit-ms} ms.
 *
 * <pre>
 * SignalStorm [--seconds N] [--threads N] [--operations N] [--interval US] [--quit-ms MS] [--restart-only]
 *   --seconds     how long to storm (default 20)
 *   --threads     threads per lock workload (default 4)
 *   --operations  operations per thread per run (default 20,000; rounds for the ping-pongs)
 *   --interval    µs between SIGPROF rounds (default 50)
 *   --quit-ms     ms between SIGQUIT rounds, 0 for none (default 250)
 *   --restart-only  the SIGPROF handler keeps SA_RESTART for the whole run
 * </pre>
 * Half the workload threads are virtual threads (their carriers get the signals
 * too). Every workload checks every operation (see {@link Workloads}); the program
 * exits with status 1 if one failed, or if no signal was handled, and with 2
 * (see {@link Watchdog}) if no workload completes for {@value #HANG_SECONDS} s.
 * Run it with {@code -XX:+UnlockDiagnosticVMOptions -XX:-DisplayVMOutput
 * -XX:+LogVMOutput -XX:LogFile=...} to send the thread dumps to a file.
 */
public final class SignalStorm {
    private static final int HANG_SECONDS = 60;
    /** The workloads' threads ({@link Workloads#runThreads}) and any virtual thread's carrier. */
    private static final String TARGETS = "load-,ForkJoinPool-";

    private SignalStorm() {
    }

    public static void main(String[] args) {
        int seconds = 20;
        int threads = 4;
        long operations = 20_000;
        int intervalMicros = 50;
        int quitMillis = 250;
        boolean restartOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--operations" -> operations = Long.parseLong(args[++i]);
                case "--interval" -> intervalMicros = Integer.parseInt(args[++i]);
                case "--quit-ms" -> quitMillis = Integer.parseInt(args[++i]);
                case "--restart-only" -> restartOnly = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.out.printf(Locale.ROOT, "SignalStorm: CPython %s, %s flavour, %d s; SIGPROF every %d us, SIGQUIT every"
                + " %d ms, to threads named %s%n", CPython.version(), CPython.flavour().id(), seconds, intervalMicros,
                quitMillis, TARGETS);
        List<Workloads.Workload> workloads = Workloads.all();
        Map<String, long[]> totals = new LinkedHashMap<>(); // runs, operations, failures
        AtomicLong completed = new AtomicLong();
        Thread watchdog = Watchdog.start("SignalStorm", HANG_SECONDS, completed::get,
                () -> completed.get() + " workload runs completed");
        StormLibrary.count(StormLibrary.SIGPROF, true);
        int profile = StormLibrary.start(StormLibrary.SIGPROF, intervalMicros, TARGETS);
        // SIGQUIT to the process, as kill -QUIT and jstack send it: HotSpot blocks it in
        // every thread but its VM thread, so a thread-directed one would never arrive.
        int quit = quitMillis > 0 ? StormLibrary.start(StormLibrary.SIGQUIT, quitMillis * 1000, "") : -1;
        long start = System.nanoTime();
        long half = start + seconds * 500_000_000L;
        long end = start + seconds * 1_000_000_000L;
        boolean restarting = true;
        while (System.nanoTime() < end) {
            if (restarting && !restartOnly && System.nanoTime() >= half) {
                StormLibrary.count(StormLibrary.SIGPROF, false);
                restarting = false;
            }
            for (Workloads.Workload workload : workloads) {
                boolean pingPong = workload.name().endsWith("ping-pong");
                Workloads.Result result = workload.run(pingPong ? 2 : threads, operations);
                long[] total = totals.computeIfAbsent(workload.name(), name -> new long[3]);
                total[0]++;
                total[1] += result.operations();
                total[2] += result.failures();
                completed.incrementAndGet();
            }
        }
        long profileSent = StormLibrary.stop(profile);
        long quitSent = quit >= 0 ? StormLibrary.stop(quit) : 0;
        watchdog.interrupt();
        long handled = StormLibrary.handled();

        System.out.printf("%-28s%8s%16s%10s%n", "Workload", "Runs", "Operations", "Failures");
        long failures = 0;
        for (Map.Entry<String, long[]> entry : totals.entrySet()) {
            long[] total = entry.getValue();
            System.out.printf(Locale.ROOT, "%-28s%,8d%,16d%10d%n", entry.getKey(), total[0], total[1], total[2]);
            failures += total[2];
        }
        System.out.printf(Locale.ROOT, "SIGPROF: %,d sent, %,d handled; SIGQUIT: %,d sent; stray wake-up signals: %d%n",
                profileSent, handled, quitSent, Native.interruptsStray());
        if (handled == 0) {
            System.out.println("SignalStorm: FAILED: no SIGPROF reached a workload thread");
            failures++;
        }
        System.out.printf("SignalStorm: %s%n", failures == 0 ? "no failures" : failures + " failures");
        System.exit(failures == 0 ? 0 : 1);
    }
}
