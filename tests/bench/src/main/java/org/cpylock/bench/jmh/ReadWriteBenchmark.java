package org.cpylock.bench.jmh;

import org.cpylock.RWMutex;
import org.cpylock.SeqLock;
import org.cpylock.bench.BenchPort;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.concurrent.locks.StampedLock;

/** Uncontended read sections: RWMutex against ReentrantReadWriteLock, SeqLock against StampedLock. */
@State(Scope.Thread)
public class ReadWriteBenchmark extends BenchmarkDefaults {
    private final RWMutex rwMutex = new RWMutex();
    private final ReentrantReadWriteLock reentrantReadWriteLock = new ReentrantReadWriteLock();
    private final SeqLock seqLock = new SeqLock();
    private final StampedLock stampedLock = new StampedLock();
    private final org.cpylock.port.RWMutex portRwMutex = BenchPort.port().newRWMutex();
    private final org.cpylock.port.SeqLock portSeqLock = BenchPort.port().newSeqLock();
    private long x = 1;
    private long y = 2;

    /** {@link RWMutex#rlock()} + {@link RWMutex#runlock()}. */
    @Benchmark
    public long rwMutexRead() {
        rwMutex.rlock();
        long value = x + y;
        rwMutex.runlock();
        return value;
    }

    /** The pure-Java port's {@code RWMutex}: rlock + runlock. */
    @Benchmark
    public long portRwMutexRead() {
        portRwMutex.rlock();
        long value = x + y;
        portRwMutex.runlock();
        return value;
    }

    /** {@code ReentrantReadWriteLock.readLock()} lock + unlock. */
    @Benchmark
    public long reentrantReadWriteLockRead() {
        ReentrantReadWriteLock.ReadLock lock = reentrantReadWriteLock.readLock();
        lock.lock();
        long value = x + y;
        lock.unlock();
        return value;
    }

    /** A {@link SeqLock} read section: beginRead, read, endRead. */
    @Benchmark
    public long seqLockRead() {
        long value;
        int sequence;
        do {
            sequence = seqLock.beginRead();
            value = x + y;
        } while (!seqLock.endRead(sequence));
        return value;
    }

    /** The pure-Java port's {@code SeqLock} read section. */
    @Benchmark
    public long portSeqLockRead() {
        long value;
        int sequence;
        do {
            sequence = portSeqLock.beginRead();
            value = x + y;
        } while (!portSeqLock.endRead(sequence));
        return value;
    }

    /** A {@link StampedLock} optimistic read: tryOptimisticRead, read, validate. */
    @Benchmark
    public long stampedLockOptimisticRead() {
        long stamp = stampedLock.tryOptimisticRead();
        long value = x + y;
        if (!stampedLock.validate(stamp)) {
            stamp = stampedLock.readLock();
            value = x + y;
            stampedLock.unlockRead(stamp);
        }
        return value;
    }
}
