package org.cpylock;

import org.cpylock.api.ParkStatus;
import org.cpylock.testing.Backends;
import org.cpylock.tck.Threads;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The parking lot facade's checks on memory and calls: clear exceptions instead of undefined behaviour. */
class ParkingLotTest {
    private static final Duration SHORT = Duration.ofMillis(1);

    @Test
    void sizesOtherThanOneTwoFourEightAreRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment word = arena.allocate(8, 8);
            for (int size : new int[]{0, 3, 5, 16, -1}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> ParkingLot.park(word, 0, size, SHORT, null, false), "size " + size);
                assertTrue(e.getMessage().contains("size"), e.getMessage());
            }
        }
    }

    @Test
    void misalignedTooSmallHeapAndClosedMemoryAreRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment block = arena.allocate(16, 8);
            assertThrows(IllegalArgumentException.class,
                    () -> ParkingLot.park(block.asSlice(2), 0, 4, SHORT, null, false), "misaligned");
            assertThrows(IllegalArgumentException.class,
                    () -> ParkingLot.park(block.asSlice(0, 2), 0, 4, SHORT, null, false), "too small");
        }
        assertThrows(IllegalArgumentException.class,
                () -> ParkingLot.park(MemorySegment.ofArray(new int[2]), 0, 4, SHORT, null, false), "heap");
        Arena closed = Arena.ofShared();
        MemorySegment gone = closed.allocate(8, 8);
        closed.close();
        assertThrows(IllegalStateException.class, () -> ParkingLot.park(gone, 0, 4, SHORT, null, false));
        assertThrows(IllegalStateException.class, () -> ParkingLot.unpark(gone, (arg, more) -> { }));
        assertThrows(IllegalStateException.class, () -> ParkingLot.unparkAll(gone));
    }

    @Test
    void expectedValuesThatDoNotFitAreRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment word = arena.allocate(8, 8);
            assertThrows(IllegalArgumentException.class, () -> ParkingLot.park(word, 300, 1, SHORT, null, false));
            assertThrows(IllegalArgumentException.class, () -> ParkingLot.park(word, -129, 1, SHORT, null, false));
            assertThrows(IllegalArgumentException.class, () -> ParkingLot.park(word, 1L << 32, 4, SHORT, null, false));
            // Both readings of a byte fit: 255 and -1 are the same byte.
            assertEquals(ParkStatus.AGAIN, ParkingLot.park(word, 255, 1, SHORT, null, false));
            assertEquals(ParkStatus.AGAIN, ParkingLot.park(word, -1, 1, SHORT, null, false));
            assertEquals(ParkStatus.TIMEOUT, ParkingLot.park(word, 0, 8, SHORT, null, false));
        }
    }

    @Test
    void parkingLotCallsFromAnUnparkCallbackAreRefused() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment word = arena.allocate(8, 8);
            AtomicReference<Throwable> fromPark = new AtomicReference<>();
            AtomicReference<Throwable> fromUnpark = new AtomicReference<>();
            ParkingLot.unpark(word, (arg, more) -> {
                fromPark.set(assertThrows(IllegalStateException.class,
                        () -> ParkingLot.park(word, 0, 4, SHORT, null, false)));
                fromUnpark.set(assertThrows(IllegalStateException.class,
                        () -> ParkingLot.unpark(word, (a, m) -> { })));
            });
            assertTrue(fromPark.get() instanceof IllegalStateException);
            assertTrue(fromUnpark.get() instanceof IllegalStateException);
            // Outside the callback the same calls work.
            assertEquals(ParkStatus.TIMEOUT, ParkingLot.park(word, 0, 4, SHORT, null, false));
        }
    }

    @Test
    void afterForkIsRefusedWhileAThreadIsParked() {
        Backends.assumeBundled("the parking lot is the library's own");
        try (Arena arena = Arena.ofShared()) {
            MemorySegment word = arena.allocate(8, 8);
            AtomicReference<ParkStatus> status = new AtomicReference<>();
            try (Threads threads = new Threads()) {
                Thread parker = threads.start("parker",
                        () -> status.set(ParkingLot.park(word, 0, 4, Threads.HANG, null, false)));
                Threads.awaitParked(parker);
                assertThrows(IllegalStateException.class, ParkingLot::afterFork);
                Threads.wakeUntilEnded(() -> ParkingLot.unparkAll(word), parker);
            }
            assertEquals(ParkStatus.OK, status.get(), "the parked thread was still woken normally");
        }
        ParkingLot.afterFork(); // nothing in progress now
    }
}
