package org.cpylock.bench.jmh;

import org.cpylock.OnceFlag;
import org.cpylock.PyEvent;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.atomic.AtomicBoolean;

/** The checks made once a one-time thing has happened: a set event, an initialized once flag. */
@State(Scope.Thread)
public class OneTimeBenchmark extends BenchmarkDefaults {
    private final PyEvent event = new PyEvent();
    private final OnceFlag onceFlag = new OnceFlag();
    private final AtomicBoolean flag = new AtomicBoolean();
    private static long initializations;
    private long counter;

    @Setup
    public void setup() {
        event.set();
        onceFlag.callOnce(OneTimeBenchmark::initialize);
        flag.set(true);
    }

    /** {@link PyEvent#isSet()} on a set event. */
    @Benchmark
    public boolean pyEventIsSet() {
        return event.isSet();
    }

    /** Baseline: a volatile boolean read. */
    @Benchmark
    public boolean atomicBooleanGet() {
        return flag.get();
    }

    /**
     * {@link OnceFlag#callOnce} on an initialized flag (the action does not
     * run). The action is a reference to a static method, as a one-time
     * initialization usually is: a lambda capturing {@code this}, written at
     * the call, would add the check of its own creation to every call.
     */
    @Benchmark
    public long onceFlagDone() {
        onceFlag.callOnce(OneTimeBenchmark::initialize);
        return counter;
    }

    /** The once-flag's action; it runs once, in {@link #setup()}. */
    private static void initialize() {
        initializations++;
    }

    /** Baseline: the usual Java check before a one-time initialization, a volatile read and a branch. */
    @Benchmark
    public long volatileCheckDone() {
        if (!flag.get()) {
            counter++;
        }
        return counter;
    }
}
