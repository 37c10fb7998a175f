package org.cpylock.stress.jcstress;

import org.cpylock.PyEvent;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/** Writes made before PyEvent.set() are visible to a thread once await() returns. */
@JCStressTest
@Description("PyEvent publication: await() returning makes the setter's earlier writes visible")
@Outcome(id = "42", expect = ACCEPTABLE, desc = "the write before set() is visible after await()")
@Outcome(expect = FORBIDDEN, desc = "await() returned but the write before set() is not visible")
@State
public class PyEventPublication {
    private final PyEvent event = new PyEvent();
    private int data;

    @Actor
    public void publisher() {
        data = 42;
        event.set();
    }

    @Actor
    public void subscriber(I_Result r) {
        event.await();
        r.r1 = data;
    }
}
