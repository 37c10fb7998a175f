package org.cpylock;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.cpylock.api.Flavour;
import org.cpylock.api.ParkStatus;
import org.cpylock.tck.Threads;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import javax.management.JMException;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A thread waiting in cpylock is visible: in {@link CPython#waits()}, in the
 * {@code org.cpylock:type=Waits} MBean, in the primitives' {@code toString()},
 * and, past its threshold, as an {@code org.cpylock.Wait} JFR event (with
 * {@code org.cpylock.Handoff} for a hand-off).
 */
class WaitsTest {
    private static final Duration HELD = Duration.ofMillis(150);
    /** The default threshold of {@code org.cpylock.Wait} ({@code @Threshold} on its event class). */
    private static final Duration THRESHOLD = Duration.ofMillis(20);

    @Test
    void aWaitingThreadIsListedInWaitsTheMBeanAndToString() throws JMException {
        PyMutex m = new PyMutex();
        m.lock();
        try (Threads threads = new Threads()) {
            Thread first = threads.start("waits-first", m::lock);
            Threads.awaitBits(m::bits, 3, "the first waiter to park");
            Thread second = threads.start("waits-second", () -> {
                m.lock();
                m.unlock();
            });
            Threads.awaitTrue(() -> waitOf(second).isPresent(), "the second waiter to be listed");
            Threads.sleepMillis(20);

            Wait wait = waitOf(first).orElseThrow();
            assertEquals(Wait.Primitive.PY_MUTEX, wait.primitive());
            assertEquals(m.segment().address(), wait.address());
            assertEquals(3, wait.stateWord());
            assertTrue(wait.flags().contains(Wait.Flag.DETACH), wait.flags().toString());
            assertFalse(wait.flags().contains(Wait.Flag.TIMED), wait.flags().toString());
            assertFalse(wait.waited().isNegative());
            assertTrue(wait.alsoWaiting().contains(second), wait.alsoWaiting().toString());

            String text = m.toString();
            assertTrue(text.startsWith("PyMutex[bits=3, waiting: ") && text.contains("waits-first (")
                    && text.contains("waits-second (") && text.contains(" ms)"), text);

            ObjectName name = new ObjectName("org.cpylock:type=Waits");
            CompositeData[] listed = (CompositeData[]) ManagementFactory.getPlatformMBeanServer()
                    .getAttribute(name, "Waits");
            List<String> names = new ArrayList<>();
            for (CompositeData item : listed) {
                names.add((String) item.get("threadName"));
                if ("waits-first".equals(item.get("threadName"))) {
                    assertEquals("PyMutex", item.get("primitive"));
                    assertEquals("0x" + Long.toHexString(m.segment().address()), item.get("address"));
                    assertTrue(List.of((String[]) item.get("flags")).contains("DETACH"), item.toString());
                }
            }
            assertTrue(names.contains("waits-first") && names.contains("waits-second"), names.toString());
            TabularData contended = (TabularData) ManagementFactory.getPlatformMBeanServer()
                    .getAttribute(name, "ContendedAcquisitions");
            Object count = contended.get(new Object[]{"PyMutex"}).get("value");
            assertTrue((Long) count >= 2, "contended PyMutex acquisitions: " + count);
            m.unlock();
            Threads.join(first);
            m.unlock();
        }
        assertEquals("PyMutex[bits=0]", m.toString());
        assertTrue(waitOf(Thread.currentThread()).isEmpty());
    }

    @Test
    void longWaitsAreRecordedAsJfrEventsAndShortOnesAreNot() throws IOException, InterruptedException {
        PyMutex mutex = new PyMutex();
        RWMutex rw = new RWMutex();
        PyEvent event = new PyEvent();
        PyMutex sectionMutex = new PyMutex();
        PyMutex quick = new PyMutex();
        boolean freeThreaded = CPython.flavour() == Flavour.FREE_THREADED;
        List<RecordedEvent> events;
        long wordAddress;
        try (Arena arena = Arena.ofShared(); Recording recording = new Recording()) {
            MemorySegment word = arena.allocate(8, 8);
            wordAddress = word.address();
            recording.enable("org.cpylock.Wait"); // its default threshold
            recording.enable("org.cpylock.Handoff");
            recording.start();
            try (Threads threads = new Threads()) {
                hold(threads, mutex::lock, mutex::unlock, () -> mutex.bits() == 3, () -> {
                    mutex.lock();
                    // Held a while: the unlocker infers the hand-off from the byte it
                    // reads after the unlock, before this thread releases it.
                    Threads.sleepMillis(20);
                    mutex.unlock();
                });
                hold(threads, rw::lock, rw::unlock, () -> (rw.bits() & 2) != 0, () -> {
                    rw.lock();
                    rw.unlock();
                });
                // A virtual thread: its event says it pinned its carrier.
                Thread awaiting = threads.start(Thread.ofVirtual().name("await"),
                        () -> assertTrue(event.await(Duration.ofSeconds(30))));
                Threads.awaitBits(event::bits, 2, "the event waiter to park");
                Threads.sleepMillis(HELD.toMillis());
                event.set();
                Threads.join(awaiting);
                Thread parker = threads.start("park", () ->
                        assertEquals(ParkStatus.OK, ParkingLot.park(word, 0, 8, Duration.ofSeconds(30), null, true)));
                Threads.awaitParked(parker);
                Threads.sleepMillis(HELD.toMillis());
                Threads.wakeUntilEnded(() -> ParkingLot.unparkAll(word), parker);
                if (freeThreaded) {
                    hold(threads, sectionMutex::lock, sectionMutex::unlock, () -> sectionMutex.bits() == 3, () -> {
                        try (CriticalSection section = CriticalSection.begin(sectionMutex)) {
                            assertTrue(sectionMutex.isLocked());
                        }
                    });
                }
                // A wait far below the threshold.
                quick.lock();
                Thread briefly = threads.start("brief", () -> {
                    quick.lock();
                    quick.unlock();
                });
                Threads.sleepMillis(1);
                quick.unlock();
                Threads.join(briefly);
            }
            recording.stop();
            Path file = Files.createTempFile("cpylock-waits", ".jfr");
            recording.dump(file);
            events = RecordingFile.readAllEvents(file);
            Files.delete(file);
        }
        RecordedEvent mutexWait = only(events, "org.cpylock.Wait", e -> e.getLong("address") == mutex.segment().address());
        assertEquals("PyMutex", mutexWait.getString("primitive"));
        assertEquals("acquired", mutexWait.getString("outcome"));
        assertTrue(mutexWait.getBoolean("detached"));
        assertFalse(mutexWait.getBoolean("virtualThread"));
        assertEquals(1, mutexWait.getLong("stateBefore") & 1, "locked when the wait began");
        assertTrue(mutexWait.getDuration().compareTo(HELD) >= 0, mutexWait.getDuration().toString());

        RecordedEvent rwWait = only(events, "org.cpylock.Wait", e -> e.getLong("address") == rw.segment().address());
        assertEquals("RWMutex", rwWait.getString("primitive"));
        RecordedEvent eventWait = only(events, "org.cpylock.Wait", e -> e.getLong("address") == event.segment().address());
        assertEquals("PyEvent", eventWait.getString("primitive"));
        assertEquals("set", eventWait.getString("outcome"));
        assertTrue(eventWait.getBoolean("virtualThread"));
        assertEquals(1, eventWait.getLong("stateAfter"));
        RecordedEvent park = only(events, "org.cpylock.Wait", e -> e.getLong("address") == wordAddress);
        assertEquals("ParkingLot", park.getString("primitive"));
        assertEquals("woken", park.getString("outcome"));
        if (freeThreaded) {
            RecordedEvent section = only(events, "org.cpylock.Wait",
                    e -> e.getLong("address") == sectionMutex.segment().address()
                            && e.getString("primitive").equals("CriticalSection"));
            assertTrue(section.getDuration().compareTo(HELD) >= 0);
        }
        // The brief wait is recorded only if it took as long as the threshold
        // (it can, on a loaded machine): no recorded wait is shorter.
        assertTrue(events.stream().noneMatch(e -> e.getEventType().getName().equals("org.cpylock.Wait")
                && e.getDuration().compareTo(THRESHOLD) < 0), "a wait below the 20 ms threshold was recorded");
        RecordedEvent handoff = only(events, "org.cpylock.Handoff", e -> e.getLong("address") == mutex.segment().address());
        assertEquals(1, handoff.getLong("stateAfter") & 1, "the byte stayed locked through the unlock");
    }

    /** Holds a lock while a waiter waits on it for {@link #HELD}, then releases it. */
    private static void hold(Threads threads, Runnable lock, Runnable unlock, java.util.function.BooleanSupplier parked,
                             Runnable waiter) {
        lock.run();
        Thread waiting = threads.start("waiter", waiter);
        Threads.awaitTrue(parked, "the waiter to park");
        Threads.sleepMillis(HELD.toMillis());
        unlock.run();
        Threads.join(waiting);
    }

    private static RecordedEvent only(List<RecordedEvent> events, String type, Predicate<RecordedEvent> which) {
        List<RecordedEvent> matching = events.stream()
                .filter(e -> e.getEventType().getName().equals(type) && which.test(e)).toList();
        assertEquals(1, matching.size(), () -> type + " events: " + matching);
        return matching.getFirst();
    }

    private static java.util.Optional<Wait> waitOf(Thread thread) {
        return CPython.waits().stream().filter(w -> w.thread() == thread).findFirst();
    }
}
