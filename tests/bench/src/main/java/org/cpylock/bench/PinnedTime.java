package org.cpylock.bench;

import javax.management.JMException;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import java.lang.management.ManagementFactory;

/**
 * The carriers' time that virtual threads' waits spent in cpylock's native
 * calls (which hold the carrier while they run), from the Waits MBean.
 */
final class PinnedTime {
    /** The virtual-thread scheduler's parallelism, as the JDK reads it. */
    static final int CARRIERS = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
            Runtime.getRuntime().availableProcessors());

    private PinnedTime() {
    }

    /** Nanoseconds so far, all primitives together ({@code CarrierPinnedNanos}). */
    static long nanos() {
        try {
            TabularData table = (TabularData) ManagementFactory.getPlatformMBeanServer()
                    .getAttribute(new ObjectName("org.cpylock:type=Waits"), "CarrierPinnedNanos");
            long sum = 0;
            for (Object row : table.values()) {
                sum += (Long) ((CompositeData) row).get("value");
            }
            return sum;
        } catch (JMException e) {
            throw new IllegalStateException("cannot read the org.cpylock:type=Waits MBean", e);
        }
    }
}
