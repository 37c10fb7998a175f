package org.cpylock.bench;

import org.cpylock.PyMutex;
import org.cpylock.internal.NativeSlots;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Locale;

/**
 * What one million {@code PyMutex} objects cost: bytes per mutex on the heap
 * (retained, measured after full collections) and in native memory (the
 * slabs allocated for them), and the time to create them (best of five).
 *
 *   MutexFootprint [count]
 */
public final class MutexFootprint {
    private MutexFootprint() {
    }

    public static void main(String[] args) {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

        long bestNs = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long start = System.nanoTime();
            PyMutex[] mutexes = create(count);
            bestNs = Math.min(bestNs, System.nanoTime() - start);
            if (mutexes[count - 1].bits() != 0) {
                throw new AssertionError("a new mutex is locked");
            }
        }

        long heapBefore = usedHeapAfterGc(memory);
        long nativeBefore = NativeSlots.allocatedBytes();
        PyMutex[] mutexes = create(count);
        long nativeBytes = NativeSlots.allocatedBytes() - nativeBefore;
        long heapBytes = usedHeapAfterGc(memory) - heapBefore;
        double heapPerMutex = (double) heapBytes / count;
        double nativePerMutex = (double) nativeBytes / count;
        System.out.printf(Locale.ROOT, "MutexFootprint: %,d PyMutex objects%n", count);
        System.out.printf(Locale.ROOT, "  create (best of 5)   %8.1f ms%n", bestNs / 1e6);
        System.out.printf(Locale.ROOT, "  heap, retained       %8.1f bytes per mutex (array slot included)%n", heapPerMutex);
        System.out.printf(Locale.ROOT, "  native (slabs)       %8.1f bytes per mutex%n", nativePerMutex);
        System.out.printf(Locale.ROOT, "  total                %8.1f bytes per mutex, %.1f MB for %,d%n",
                heapPerMutex + nativePerMutex, (heapBytes + nativeBytes) / 1e6, count);
        if (mutexes.length != count) {
            throw new AssertionError();
        }
    }

    private static PyMutex[] create(int count) {
        PyMutex[] mutexes = new PyMutex[count];
        for (int i = 0; i < count; i++) {
            mutexes[i] = new PyMutex();
        }
        return mutexes;
    }

    private static long usedHeapAfterGc(MemoryMXBean memory) {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
