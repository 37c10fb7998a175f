package org.cpylock.stress;

import org.cpylock.CPython;
import org.cpylock.PyMutex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * How long an interrupt takes to end a wait, and how long a 1 µs timed
 * {@code tryLock} on a held mutex takes, on an idle machine and with busy
 * threads beside it.
 *
 * <pre>
 * InterruptLatency [--samples N] [--busy N]
 *   --samples  samples per row (default 200)
 *   --busy     threads spinning during the loaded rows (default 2)
 * </pre>
 * Interrupt rows: a thread waits in {@code lockInterruptibly()} on a mutex
 * the main thread holds; the time is from {@code interrupt()} to the
 * {@code InterruptedException} in the waiter. The library delivers an
 * interrupt when its watchdog, which looks every 5 ms, sees it.
 */
public final class InterruptLatency {
    private InterruptLatency() {
    }

    public static void main(String[] args) throws InterruptedException {
        int samples = 200;
        int busy = 2;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--samples" -> samples = Integer.parseInt(args[++i]);
                case "--busy" -> busy = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.out.printf(Locale.ROOT, "InterruptLatency: CPython %s, %s flavour, %d processors, %d samples per row%n",
                CPython.version(), CPython.flavour().id(), Runtime.getRuntime().availableProcessors(), samples);
        System.out.printf("%-44s%10s%10s%10s%10s%n", "row (ms)", "p50", "p90", "p99", "max");
        for (int load : new int[]{0, busy}) {
            List<Thread> spinners = spin(load);
            String suffix = load == 0 ? ", idle" : ", " + load + " busy threads";
            print("interrupt, platform thread" + suffix, interruptLatencies(Thread.ofPlatform(), samples));
            print("interrupt, virtual thread" + suffix, interruptLatencies(Thread.ofVirtual(), samples));
            print("tryLock(1 us) on a held mutex" + suffix, timedTryLockDurations(samples));
            for (Thread spinner : spinners) {
                spinner.interrupt();
                spinner.join();
            }
        }
    }

    private static List<Thread> spin(int threads) {
        List<Thread> spinners = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            spinners.add(Thread.ofPlatform().name("busy-" + i).start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.onSpinWait();
                }
            }));
        }
        return spinners;
    }

    private static long[] interruptLatencies(Thread.Builder builder, int samples) throws InterruptedException {
        PyMutex mutex = new PyMutex();
        mutex.lock();
        Semaphore go = new Semaphore(0);
        SynchronousQueue<Long> caught = new SynchronousQueue<>();
        Thread waiter = builder.name("waiter").start(() -> {
            for (int i = 0; i < samples; i++) {
                go.acquireUninterruptibly();
                try {
                    mutex.lockInterruptibly();
                    throw new IllegalStateException("the waiter acquired a mutex that is never released");
                } catch (InterruptedException e) {
                    long now = System.nanoTime();
                    try {
                        caught.put(now);
                    } catch (InterruptedException unexpected) {
                        throw new IllegalStateException(unexpected);
                    }
                }
            }
        });
        long[] latencies = new long[samples];
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < samples; i++) {
            // Unlocking with nobody parked clears the parked bit a left waiter leaves, so that
            // 3 again means the waiter is parked.
            mutex.unlock();
            mutex.lock();
            go.release();
            while (mutex.bits() != 3) {
                Thread.onSpinWait();
            }
            LockSupport.parkNanos(random.nextLong(500_000, 2_000_000)); // let it settle in the wait
            long start = System.nanoTime();
            waiter.interrupt();
            latencies[i] = caught.take() - start;
        }
        waiter.join();
        mutex.unlock();
        return latencies;
    }

    private static long[] timedTryLockDurations(int samples) throws InterruptedException {
        PyMutex mutex = new PyMutex();
        mutex.lock();
        long[] durations = new long[samples];
        Thread timer = Thread.ofPlatform().name("timed-try").start(() -> {
            for (int i = 0; i < samples; i++) {
                long start = System.nanoTime();
                try {
                    if (mutex.tryLock(1, TimeUnit.MICROSECONDS)) {
                        throw new IllegalStateException("acquired a held mutex");
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                durations[i] = System.nanoTime() - start;
            }
        });
        timer.join();
        mutex.unlock();
        return durations;
    }

    private static void print(String row, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "%-44s%10.2f%10.2f%10.2f%10.2f%n", row, percentile(sorted, 50) / 1e6,
                percentile(sorted, 90) / 1e6, percentile(sorted, 99) / 1e6, sorted[sorted.length - 1] / 1e6);
    }

    private static long percentile(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
}
