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

/** Writes made before PyEvent.set() are visible to a thread that sees isSet() true. */
@JCStressTest
@Description("PyEvent publication without waiting: isSet() true makes the setter's earlier writes visible")
@Outcome(id = "42", expect = ACCEPTABLE, desc = "set, and the write before set() is visible")
@Outcome(id = "-1", expect = ACCEPTABLE, desc = "not set yet")
@Outcome(expect = FORBIDDEN, desc = "isSet() was true but the write before set() is not visible")
@State
public class PyEventIsSetPublication {
    private final PyEvent event = new PyEvent();
    private int data;

    @Actor
    public void publisher() {
        data = 42;
        event.set();
    }

    @Actor
    public void observer(I_Result r) {
        r.r1 = event.isSet() ? data : -1;
    }
}
