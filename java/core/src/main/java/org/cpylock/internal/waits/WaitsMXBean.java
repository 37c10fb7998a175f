package org.cpylock.internal.waits;

import java.util.List;
import java.util.Map;

/**
 * The {@code org.cpylock:type=Waits} MBean: the threads waiting inside
 * cpylock now, and how many waits each primitive has had, as open types
 * (an array of {@code CompositeData}, and {@code TabularData} for each
 * counter), so that jconsole and any JMX client show them.
 */
public interface WaitsMXBean {
    /** Every thread waiting inside cpylock now. */
    List<WaitInfo> getWaits();

    /** Per primitive: waits begun in the slow path (contended acquisitions). */
    Map<String, Long> getContendedAcquisitions();

    /** Per primitive: unlocks that handed the mutex to a waiter. */
    Map<String, Long> getHandoffs();

    /** Per primitive: waits that ended at their timeout. */
    Map<String, Long> getTimeouts();

    /** Per primitive: waits that ended by an interrupt. */
    Map<String, Long> getInterrupts();

    /**
     * Per primitive: nanoseconds virtual threads' waits spent in native
     * calls, each holding its carrier for its length (they wait in Java).
     */
    Map<String, Long> getCarrierPinnedNanos();
}
