package org.cpylock.stress.jcstress;

import org.cpylock.PyMutex;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/** Two threads increment a plain field under one PyMutex: the increments never overlap. */
@JCStressTest
@Description("PyMutex mutual exclusion: read-increment-write of a plain field under the mutex")
@Outcome(id = {"1, 2", "2, 1"}, expect = ACCEPTABLE, desc = "the critical sections ran one after the other")
@Outcome(expect = FORBIDDEN, desc = "the critical sections overlapped")
@State
public class PyMutexMutualExclusion {
    private final PyMutex mutex = new PyMutex();
    private int counter;

    @Actor
    public void actor1(II_Result r) {
        mutex.lock();
        r.r1 = ++counter;
        mutex.unlock();
    }

    @Actor
    public void actor2(II_Result r) {
        mutex.lock();
        r.r2 = ++counter;
        mutex.unlock();
    }
}
