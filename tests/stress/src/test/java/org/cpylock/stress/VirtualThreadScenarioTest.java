package org.cpylock.stress;

import org.cpylock.CPython;
import org.cpylock.testing.Backends;
import org.cpylock.testing.GuardedJvm;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link VirtualThreadScenarios}: every wait of every primitive, K virtual
 * threads behind a virtual holder that sleeps, with P carriers, in the
 * backend of this test run: K = P + 2 with one and two carriers, and many
 * waiters with one; each (P, K) in a JVM of its own under a kill timer
 * ({@link GuardedJvm}), which ends it if a wait held its carrier. K = 10,000
 * with one and two carriers runs in the stress profile
 * ({@link VirtualThreadMatrix}).
 */
@Execution(ExecutionMode.CONCURRENT) // waits for child processes
class VirtualThreadScenarioTest {
    private static final Path OUTPUT = Path.of("target", "virtual-threads");

    @BeforeEach
    void notEmulated() {
        Backends.assumeNotEmulated(StormTest.EMULATED);
    }

    /**
     * Many waiters: 1,000; bound to an interpreter, 200. Bound, each
     * virtual waiter's wait is a platform thread's (a proxy), and a
     * {@code RWMutex} write unlock wakes every waiter, as in C: K writers
     * behind a reader cost about K²/2 proxy wake-ups, 5 s at 1,000.
     */
    private static final int MANY = CPython.interpreter().isPresent() ? 200 : 1_000;

    @ParameterizedTest(name = "{0} carriers, P + 2 waiters")
    @ValueSource(ints = {1, 2})
    void everyWaitLeavesTheSchedulerRunningWithFewWaiters(int carriers) {
        check(carriers, carriers + 2);
    }

    /** One carrier: the harshest case, where a single pinned wait stops every virtual thread. */
    @Test
    void everyWaitLeavesTheSchedulerRunningWithManyWaiters() {
        check(1, MANY);
    }

    private static void check(int carriers, int waiters) {
        GuardedJvm.Outcome outcome = run(carriers, waiters, Duration.ofSeconds(180));
        assertEquals(0, outcome.status(), () -> "virtual-thread scenarios with " + carriers + " carriers and "
                + waiters + " waiters (" + outcome.output() + "):\n" + outcome.text());
    }

    /** Runs every scenario that applies to this backend with {@code carriers} carriers and {@code waiters} waiters. */
    static GuardedJvm.Outcome run(int carriers, int waiters, Duration limit) {
        List<String> args = new ArrayList<>(List.of(Integer.toString(waiters)));
        args.addAll(VirtualThreadScenarios.applicable());
        List<String> options = new ArrayList<>(List.of("-Djdk.virtualThreadScheduler.parallelism=" + carriers,
                "-Djdk.virtualThreadScheduler.maxPoolSize=" + carriers));
        CPython.interpreter().ifPresent(libpython -> options.add("-Dcpylock.library=" + libpython));
        String label = "virtual-" + CPython.flavour().id() + (CPython.interpreter().isPresent() ? "-interpreter" : "")
                + "-P" + carriers + "-K" + waiters;
        return GuardedJvm.run(new GuardedJvm.Launch(CPython.flavour().id(), limit, OUTPUT, label, options, Map.of(),
                VirtualThreadScenarios.class.getName(), args));
    }
}
