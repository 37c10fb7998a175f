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

/** Writes made before PyEvent.set() are visible to a thread that learns the event is set. */
public final class PyEventPublication {
    private PyEventPublication() {
    }

    /** An event, and a write made before it is set. */
    @State
    public static class Published {
        final PyEvent event = new PyEvent();
        int data;

        void publish() {
            data = 42;
            event.set();
        }
    }

    /** A thread whose await() returned sees the write. */
    @JCStressTest
    @Description("PyEvent publication: await() returning makes the setter's earlier writes visible")
    @Outcome(id = "42", expect = ACCEPTABLE, desc = "the write before set() is visible after await()")
    @Outcome(expect = FORBIDDEN, desc = "await() returned but the write before set() is not visible")
    public static class AfterAwait {
        @Actor
        public void publisher(Published published) {
            published.publish();
        }

        @Actor
        public void subscriber(Published published, I_Result r) {
            published.event.await();
            r.r1 = published.data;
        }
    }

    /** A thread that sees isSet() true, without waiting, sees the write. */
    @JCStressTest
    @Description("PyEvent publication without waiting: isSet() true makes the setter's earlier writes visible")
    @Outcome(id = "42", expect = ACCEPTABLE, desc = "set, and the write before set() is visible")
    @Outcome(id = "-1", expect = ACCEPTABLE, desc = "not set yet")
    @Outcome(expect = FORBIDDEN, desc = "isSet() was true but the write before set() is not visible")
    public static class AfterIsSet {
        @Actor
        public void publisher(Published published) {
            published.publish();
        }

        @Actor
        public void observer(Published published, I_Result r) {
            r.r1 = published.event.isSet() ? published.data : -1;
        }
    }
}
