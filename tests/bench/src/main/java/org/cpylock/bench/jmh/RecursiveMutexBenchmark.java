package org.cpylock.bench.jmh;

import org.cpylock.RecursiveMutex;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link RecursiveMutex} against {@link ReentrantLock}, uncontended: a first
 * lock+unlock (the mutex free before and after), and a re-entry (lock+unlock
 * by the thread that holds it already, as the lock of a re-entrant call).
 */
@State(Scope.Thread)
public class RecursiveMutexBenchmark extends BenchmarkDefaults {
    private final RecursiveMutex free = new RecursiveMutex();
    private final RecursiveMutex held = new RecursiveMutex();
    private final ReentrantLock freeLock = new ReentrantLock();
    private final ReentrantLock heldLock = new ReentrantLock();
    private long counter;

    /** Holds the re-entry benchmarks' locks once, on the benchmark's thread. */
    @Setup(Level.Iteration)
    public void hold() {
        held.lock();
        heldLock.lock();
    }

    @TearDown(Level.Iteration)
    public void release() {
        held.unlock();
        heldLock.unlock();
    }

    @Benchmark
    public long recursiveMutexFirstLock() {
        free.lock();
        counter++;
        free.unlock();
        return counter;
    }

    @Benchmark
    public long reentrantLockFirstLock() {
        freeLock.lock();
        counter++;
        freeLock.unlock();
        return counter;
    }

    @Benchmark
    public long recursiveMutexReentry() {
        held.lock();
        counter++;
        held.unlock();
        return counter;
    }

    @Benchmark
    public long reentrantLockReentry() {
        heldLock.lock();
        counter++;
        heldLock.unlock();
        return counter;
    }
}
