package org.cpylock.internal;

import org.cpylock.tck.Threads;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Native memory cannot be released while a thread waits on it: every native
 * call receives the memory as a segment, and the segment's scope stays
 * reachable from the waiting thread until the call returns, even when no
 * one else refers to the primitive.
 */
class MemoryLifetimeTest {
    @Test
    void memoryWaitedOnIsNotReleasedUntilTheWaitEnds() {
        NativeSlots slots = new NativeSlots(4); // a slab no one else uses
        NativeSlots.Slot slot = slots.allocate();
        long address = slot.address();
        WeakReference<MemorySegment.Scope> scope = new WeakReference<>(slot.slab().scope());
        AtomicReference<MemorySegment> handOver = new AtomicReference<>(slot.slab().asSlice(slot.offset(), 1));
        AtomicBoolean set = new AtomicBoolean();
        slots = null;
        slot = null;

        try (Threads threads = new Threads()) {
            Thread waiter = threads.start("waiter", () -> {
                MemorySegment event = handOver.getAndSet(null);
                set.set(Native.eventWaitTimed(ThreadState.current().segment(), event, -1, true));
            });
            MemorySegment raw = MemorySegment.ofAddress(address).reinterpret(1);
            Threads.awaitTrue(() -> raw.get(ValueLayout.JAVA_BYTE, 0) == 2, "the waiter to park");
            collectGarbage();
            assertNotNull(scope.get(), "the memory's scope was collected while a thread waited on it");

            // Set the event through the raw address, as _PyEvent_Notify would.
            raw.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            Native.parkingLotUnparkAll(raw);
            Threads.join(waiter);
        }
        assertTrue(set.get());

        for (int i = 0; i < 50 && scope.get() != null; i++) {
            collectGarbage();
        }
        assertNull(scope.get(), "once nobody waits or refers to it, the memory is released");
    }

    private static void collectGarbage() {
        System.gc();
        Threads.sleepMillis(10);
    }
}
