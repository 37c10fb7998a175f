package org.cpylock;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.ObjectName;
import javax.management.openmbean.TabularData;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The mode of this JVM's run of the suite is the one it claims: with {@code -Dcpylock.javaPaths=false} an uncontended lock calls
 * C, which the wait registry counts as a contended acquisition; by default
 * it stays in Java and is not counted.
 */
class JavaPathsModeTest {
    private static final boolean JAVA_PATHS = !"false".equals(System.getProperty("cpylock.javaPaths"));

    @Test
    void uncontendedLocksCallCOnlyWithTheJavaPathsOff() throws JMException {
        long mutexes = contended("PyMutex");
        long rawMutexes = contended("RawMutex");
        long rwMutexes = contended("RWMutex");

        PyMutex mutex = new PyMutex();
        mutex.lock();
        mutex.unlock();
        RawMutex raw = new RawMutex();
        raw.lock();
        raw.unlock();
        RWMutex rw = new RWMutex();
        rw.rlock();
        rw.runlock();
        rw.lock();
        rw.unlock();

        int calls = JAVA_PATHS ? 0 : 1;
        assertEquals(calls, contended("PyMutex") - mutexes, "PyMutex");
        assertEquals(calls, contended("RawMutex") - rawMutexes, "RawMutex");
        assertEquals(2 * calls, contended("RWMutex") - rwMutexes, "RWMutex");
    }

    private static long contended(String primitive) throws JMException {
        TabularData counts = (TabularData) ManagementFactory.getPlatformMBeanServer()
                .getAttribute(new ObjectName("org.cpylock:type=Waits"), "ContendedAcquisitions");
        return (Long) counts.get(new Object[]{primitive}).get("value");
    }
}
