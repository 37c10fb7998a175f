package org.cpylock.stress;

/**
 * The store-buffering litmus test on Java volatiles: each of two threads
 * writes its own volatile and then reads the other's. The Java memory model
 * makes volatile accesses sequentially consistent, so at least one thread
 * must read 1; a round in which both read 0 is a violation. It needs nothing
 * but the JDK and runs as a single source file:
 *
 * <pre>{@code
 * java tests/stress/src/test/java/org/cpylock/stress/StoreLoadLitmus.java 1000000
 * }</pre>
 *
 * On the emulated AArch64 JVM ({@code target/aarch64-jvm/bin/java}) it
 * shows violations, which docs/RELIABILITY.md ("AArch64") reports and
 * explains; on a real JVM it must print 0. It prints the JVM's architecture,
 * the number of rounds and the number of violations, and is not part of any
 * test run.
 */
public final class StoreLoadLitmus {
    private static volatile int x;
    private static volatile int y;
    private static volatile int round;
    private static volatile int firstDone;
    private static volatile int secondDone;
    private static int firstRead;
    private static int secondRead;

    private StoreLoadLitmus() {
    }

    public static void main(String[] args) throws InterruptedException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Thread first = new Thread(() -> {
            for (int r = 1; r <= rounds; r++) {
                awaitRound(r);
                x = 1;
                firstRead = y;
                firstDone = r;
            }
        });
        Thread second = new Thread(() -> {
            for (int r = 1; r <= rounds; r++) {
                awaitRound(r);
                y = 1;
                secondRead = x;
                secondDone = r;
            }
        });
        first.start();
        second.start();
        long violations = 0;
        for (int r = 1; r <= rounds; r++) {
            x = 0;
            y = 0;
            round = r;
            while (firstDone != r || secondDone != r) {
                Thread.yield();
            }
            if (firstRead == 0 && secondRead == 0) {
                violations++;
            }
        }
        first.join();
        second.join();
        System.out.println(System.getProperty("os.arch") + ": " + rounds + " rounds, "
                + violations + " in which both threads read 0");
    }

    private static void awaitRound(int r) {
        while (round != r) {
            Thread.yield();
        }
    }
}
