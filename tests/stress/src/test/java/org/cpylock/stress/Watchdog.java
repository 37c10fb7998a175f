package org.cpylock.stress;

import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Detects a hang in a stress program: a daemon thread reads a progress
 * counter every second and, when it has not moved for the given number of
 * seconds, prints what the program says of its state and every thread's
 * stack, and halts the JVM with status 2 ({@code STRESS_WATCHDOG_NO_HALT=1} in
 * the environment keeps it running instead, for a debugger).
 */
final class Watchdog {
    /** Exit status of a program the watchdog stopped. */
    static final int HUNG = 2;

    private Watchdog() {
    }

    /** Starts watching {@code progress}; interrupt the returned thread to stop. */
    static Thread start(String what, int hangSeconds, LongSupplier progress, Supplier<String> state) {
        return Thread.ofPlatform().name("stress-watchdog").daemon(true).start(() -> {
            long last = progress.getAsLong();
            int still = 0;
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                long now = progress.getAsLong();
                still = now == last ? still + 1 : 0;
                last = now;
                if (still >= hangSeconds) {
                    System.out.println(what + ": HANG: no progress for " + hangSeconds + " s; " + state.get());
                    for (Map.Entry<Thread, StackTraceElement[]> entry : Thread.getAllStackTraces().entrySet()) {
                        System.out.println("\"" + entry.getKey().getName() + "\" " + entry.getKey().getState());
                        for (StackTraceElement frame : entry.getValue()) {
                            System.out.println("    at " + frame);
                        }
                    }
                    System.out.flush();
                    if (System.getenv("STRESS_WATCHDOG_NO_HALT") != null) {
                        return;
                    }
                    Runtime.getRuntime().halt(HUNG);
                }
            }
        });
    }
}
