package org.cpylock.bench.jmh;

import org.cpylock.PyMutex;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Creating 1,000,000 mutexes, all kept reachable, per operation (the
 * footprint of the same million is measured by MutexFootprint).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 10)
public class MutexCreationBenchmark extends BenchmarkDefaults {
    static final int COUNT = 1_000_000;

    /** One million {@code new PyMutex()}, into an array. */
    @Benchmark
    public PyMutex[] createMillionPyMutexes() {
        PyMutex[] mutexes = new PyMutex[COUNT];
        for (int i = 0; i < COUNT; i++) {
            mutexes[i] = new PyMutex();
        }
        return mutexes;
    }

    /** Baseline: one million {@code new Object()}, into an array. */
    @Benchmark
    public Object[] createMillionObjects() {
        Object[] objects = new Object[COUNT];
        for (int i = 0; i < COUNT; i++) {
            objects[i] = new Object();
        }
        return objects;
    }
}
