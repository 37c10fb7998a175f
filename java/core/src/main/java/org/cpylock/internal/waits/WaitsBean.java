package org.cpylock.internal.waits;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.ObjectName;

/** The {@code org.cpylock:type=Waits} MBean ({@link WaitsMXBean}), registered once per JVM. */
public final class WaitsBean implements WaitsMXBean {
    /** The MBean's name. */
    public static final String NAME = "org.cpylock:type=Waits";

    private WaitsBean() {
    }

    /**
     * Registers the MBean with the platform MBean server, unless a class
     * loader of this JVM has already (then that one's waits are shown).
     */
    public static void register() {
        try {
            ManagementFactory.getPlatformMBeanServer().registerMBean(new WaitsBean(), new ObjectName(NAME));
        } catch (InstanceAlreadyExistsException e) {
            // another class loader's cpylock registered it
        } catch (JMException e) {
            throw new IllegalStateException("cannot register " + NAME, e);
        }
    }

    @Override
    public List<WaitInfo> getWaits() {
        return Waits.snapshot().stream().map(WaitInfo::new).toList();
    }

    @Override
    public Map<String, Long> getContendedAcquisitions() {
        return column(0);
    }

    @Override
    public Map<String, Long> getHandoffs() {
        return column(1);
    }

    @Override
    public Map<String, Long> getTimeouts() {
        return column(2);
    }

    @Override
    public Map<String, Long> getInterrupts() {
        return column(3);
    }

    @Override
    public Map<String, Long> getCarrierPinnedNanos() {
        return column(4);
    }

    private static Map<String, Long> column(int index) {
        Map<String, Long> column = new TreeMap<>();
        Waits.counts().forEach((primitive, counts) -> column.put(primitive.toString(), counts[index]));
        return column;
    }
}
