package org.cpylock.bench.jmh;

import org.cpylock.PyMutex;
import org.cpylock.bench.BenchLibrary;
import org.cpylock.bench.BenchPort;
import org.cpylock.internal.ThreadState;
import org.cpylock.internal.Native;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One uncontended lock+unlock pair, per operation, by each route: the facade,
 * plain downcalls to the C fast paths, the C fast paths in a C loop, and the
 * JDK's locks.
 *
 * <p>Two kinds of measurement: one pair per benchmark call (the JDK's locks and
 * the facade, as an application calls them; JMH's per-call overhead included),
 * and loops of a million pairs divided by a million (the C loop, and the
 * facade and ReentrantLock in the same kind of Java loop, so that the C
 * baseline is compared with like).
 */
@State(Scope.Thread)
public class UncontendedMutexBenchmark extends BenchmarkDefaults {
    /** Lock+unlock pairs per call of the C loop; its time is divided by this. */
    static final int C_LOOP = 1_000_000;

    private PyMutex pyMutex;
    private org.cpylock.port.PyMutex portMutex;
    private MemorySegment downcallMutex;
    private MemorySegment thread;
    private MemorySegment cLoopMutex;
    private MemorySegment cStoreUnlockMutex;
    private final ReentrantLock reentrantLock = new ReentrantLock();
    private final Object monitor = new Object();
    private long counter;

    @Setup
    public void setup() {
        pyMutex = new PyMutex();
        portMutex = BenchPort.port().newMutex();
        downcallMutex = Arena.ofAuto().allocate(1);
        cLoopMutex = Arena.ofAuto().allocate(1);
        cStoreUnlockMutex = Arena.ofAuto().allocate(1);
        thread = ThreadState.current().segment();
    }

    /** {@link PyMutex#lock()} + {@link PyMutex#unlock()}: compare-and-set in Java, C only on contention. */
    @Benchmark
    public long pyMutexFacade() {
        pyMutex.lock();
        counter++;
        pyMutex.unlock();
        return counter;
    }

    /** The C fast paths through two plain downcalls: {@code PyMutex_Lock} and {@code PyMutex_Unlock} wrappers. */
    @Benchmark
    public long pyMutexDowncalls() {
        Native.mutexLockDowncall(thread, downcallMutex);
        counter++;
        Native.mutexUnlockDowncall(downcallMutex);
        return counter;
    }

    /** The C fast paths inlined into a C loop (CPython's own cost), per pair. */
    @Benchmark
    @OperationsPerInvocation(C_LOOP)
    public int cInlineFastPathLoop() {
        return BenchLibrary.benchUncontended(cLoopMutex, C_LOOP);
    }

    /**
     * The C loop with the unlock made of a store and a full fence, the
     * instructions of {@link ReentrantLock}'s unlock (a volatile store), per
     * pair: what that kind of unlock saves in C on this machine. Not a valid
     * {@code PyMutex} unlock (see {@link BenchLibrary#benchUncontendedStoreUnlock}).
     */
    @Benchmark
    @OperationsPerInvocation(C_LOOP)
    public int cStoreUnlockLoop() {
        return BenchLibrary.benchUncontendedStoreUnlock(cStoreUnlockMutex, C_LOOP);
    }

    /** {@link PyMutex#lock()} + {@link PyMutex#unlock()} in a Java loop, per pair: compare with the C loop. */
    @Benchmark
    @OperationsPerInvocation(C_LOOP)
    public int pyMutexFacadeLoop() {
        PyMutex mutex = pyMutex;
        for (int i = 0; i < C_LOOP; i++) {
            mutex.lock();
            mutex.unlock();
        }
        return mutex.bits();
    }

    /** The pure-Java port's {@code PyMutex} in the same Java loop, per pair. */
    @Benchmark
    @OperationsPerInvocation(C_LOOP)
    public int portMutexLoop() {
        org.cpylock.port.PyMutex mutex = portMutex;
        for (int i = 0; i < C_LOOP; i++) {
            mutex.lock();
            mutex.unlock();
        }
        return mutex.bits();
    }

    /** The pure-Java port's {@code PyMutex}, one pair per call. */
    @Benchmark
    public long portMutex() {
        portMutex.lock();
        counter++;
        portMutex.unlock();
        return counter;
    }

    /** {@link ReentrantLock} in a Java loop, per pair. */
    @Benchmark
    @OperationsPerInvocation(C_LOOP)
    public boolean reentrantLockLoop() {
        ReentrantLock lock = reentrantLock;
        for (int i = 0; i < C_LOOP; i++) {
            lock.lock();
            lock.unlock();
        }
        return lock.isLocked();
    }

    /** {@link ReentrantLock}, the JDK's baseline. */
    @Benchmark
    public long reentrantLock() {
        reentrantLock.lock();
        counter++;
        reentrantLock.unlock();
        return counter;
    }

    /** A Java monitor. */
    @Benchmark
    public long synchronizedBlock() {
        synchronized (monitor) {
            counter++;
        }
        return counter;
    }
}
