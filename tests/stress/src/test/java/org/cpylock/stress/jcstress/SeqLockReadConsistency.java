package org.cpylock.stress.jcstress;

import org.cpylock.SeqLock;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * A writer sets two plain fields inside a SeqLock write; a reader that
 * endRead accepts sees both old values or both new ones, never a mix.
 */
@JCStressTest
@Description("SeqLock read consistency: an accepted read is never torn")
@Outcome(id = {"0, 0", "1, 1"}, expect = ACCEPTABLE, desc = "the read saw the data before or after the write")
@Outcome(expect = FORBIDDEN, desc = "an accepted read mixed old and new values")
@State
public class SeqLockReadConsistency {
    private final SeqLock lock = new SeqLock();
    private int x;
    private int y;

    @Actor
    public void writer() {
        lock.lockWrite();
        x = 1;
        y = 1;
        lock.unlockWrite();
    }

    @Actor
    public void reader(II_Result r) {
        int sequence;
        int a;
        int b;
        do {
            sequence = lock.beginRead();
            a = x;
            b = y;
        } while (!lock.endRead(sequence));
        r.r1 = a;
        r.r2 = b;
    }
}
