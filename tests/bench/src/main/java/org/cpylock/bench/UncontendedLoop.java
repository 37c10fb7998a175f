package org.cpylock.bench;

import org.cpylock.CPython;
import org.cpylock.PyMutex;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The uncontended lock+unlock pair outside JMH: a plain Java loop over the
 * facade's {@link PyMutex}, the same loop over {@link ReentrantLock}, and
 * CPython's static-inline fast paths in a C loop in the bench library, in
 * one JVM, alternating, for several rounds; and, to price the one instruction
 * in which {@code ReentrantLock}'s pair differs from CPython's, the C loop
 * with its unlock made of a store and a full fence (what a Java volatile store
 * compiles to; not a valid {@code PyMutex} unlock). Prints each round's ns per
 * pair and the median ratios with their ranges.
 *
 * <p>Arguments: rounds (default 15), pairs per loop (default 20,000,000).
 */
public final class UncontendedLoop {
    private UncontendedLoop() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 20_000_000;
        PyMutex facade = new PyMutex();
        ReentrantLock reentrant = new ReentrantLock();
        MemorySegment cMutex = Arena.ofAuto().allocate(1);
        MemorySegment cStoreUnlockMutex = Arena.ofAuto().allocate(1);
        double[] c = new double[rounds];
        double[] cStoreUnlock = new double[rounds];
        double[] java = new double[rounds];
        double[] jdk = new double[rounds];
        // Warm-up: the loops compile before the measured rounds.
        for (int i = 0; i < 5; i++) {
            facadeLoop(facade, pairs);
            reentrantLoop(reentrant, pairs);
            BenchLibrary.benchUncontended(cMutex, pairs);
            BenchLibrary.benchUncontendedStoreUnlock(cStoreUnlockMutex, pairs);
        }
        System.out.printf(Locale.ROOT, "uncontended lock+unlock, %s flavour, %,d pairs per loop (ns per pair)%n",
                CPython.flavour().name().toLowerCase(Locale.ROOT), pairs);
        System.out.printf(Locale.ROOT, "%5s %10s %10s %10s %10s %9s %9s %9s%n", "round", "C loop", "C store", "facade",
                "Reentrant", "facade/C", "facade/RL", "Cstore/C");
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            BenchLibrary.benchUncontended(cMutex, pairs);
            long t1 = System.nanoTime();
            facadeLoop(facade, pairs);
            long t2 = System.nanoTime();
            reentrantLoop(reentrant, pairs);
            long t3 = System.nanoTime();
            BenchLibrary.benchUncontendedStoreUnlock(cStoreUnlockMutex, pairs);
            long t4 = System.nanoTime();
            c[r] = (double) (t1 - t0) / pairs;
            java[r] = (double) (t2 - t1) / pairs;
            jdk[r] = (double) (t3 - t2) / pairs;
            cStoreUnlock[r] = (double) (t4 - t3) / pairs;
            System.out.printf(Locale.ROOT, "%5d %10.2f %10.2f %10.2f %10.2f %9.3f %9.3f %9.3f%n", r + 1, c[r],
                    cStoreUnlock[r], java[r], jdk[r], java[r] / c[r], java[r] / jdk[r], cStoreUnlock[r] / c[r]);
        }
        System.out.printf(Locale.ROOT, "median facade/C %s, facade/ReentrantLock %s%n", spread(java, c), spread(java, jdk));
        System.out.printf(Locale.ROOT, "median ReentrantLock/C %s, C with a store unlock/C %s%n", spread(jdk, c),
                spread(cStoreUnlock, c));
    }

    private static int facadeLoop(PyMutex mutex, int pairs) {
        for (int i = 0; i < pairs; i++) {
            mutex.lock();
            mutex.unlock();
        }
        return mutex.bits();
    }

    private static boolean reentrantLoop(ReentrantLock lock, int pairs) {
        for (int i = 0; i < pairs; i++) {
            lock.lock();
            lock.unlock();
        }
        return lock.isLocked();
    }

    /** The median of the per-round ratios, with their minimum and maximum. */
    private static String spread(double[] numerator, double[] denominator) {
        double[] ratios = new double[numerator.length];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = numerator[i] / denominator[i];
        }
        Arrays.sort(ratios);
        return String.format(Locale.ROOT, "%.3f (%.3f to %.3f)", ratios[ratios.length / 2], ratios[0],
                ratios[ratios.length - 1]);
    }
}
