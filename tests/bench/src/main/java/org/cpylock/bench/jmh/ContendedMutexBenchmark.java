package org.cpylock.bench.jmh;

import org.cpylock.PyMutex;
import org.cpylock.bench.BenchPort;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.locks.ReentrantLock;

/** Two threads locking one lock in a tight loop: PyMutex, the pure-Java port's and ReentrantLock, per lock+unlock. */
@State(Scope.Group)
public class ContendedMutexBenchmark extends BenchmarkDefaults {
    private final PyMutex pyMutex = new PyMutex();
    private final org.cpylock.port.PyMutex portMutex = BenchPort.port().newMutex();
    private final ReentrantLock reentrantLock = new ReentrantLock();
    private long counter;

    @Benchmark
    @Group("pyMutex")
    @GroupThreads(2)
    public long pyMutex() {
        pyMutex.lock();
        long value = ++counter;
        pyMutex.unlock();
        return value;
    }

    @Benchmark
    @Group("portMutex")
    @GroupThreads(2)
    public long portMutex() {
        portMutex.lock();
        long value = ++counter;
        portMutex.unlock();
        return value;
    }

    @Benchmark
    @Group("reentrantLock")
    @GroupThreads(2)
    public long reentrantLock() {
        reentrantLock.lock();
        long value = ++counter;
        reentrantLock.unlock();
        return value;
    }
}
