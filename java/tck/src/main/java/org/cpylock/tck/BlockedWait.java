package org.cpylock.tck;

import org.cpylock.api.Implementation;
import org.cpylock.api.LockStatus;
import org.cpylock.api.OnceFlag;
import org.cpylock.api.PyEvent;
import org.cpylock.api.PyMutex;
import org.cpylock.api.RWMutex;
import org.cpylock.api.RawMutex;
import org.cpylock.api.RecursiveMutex;

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A wait on a primitive that another thread holds.
 *
 * @param name      the C function that waits
 * @param detaches  whether its C wait detaches the thread state
 * @param holdWhile on the holding thread: takes the primitive, runs the body, releases it
 * @param await     on the waiting thread: waits for the primitive, takes it and releases it
 * @param parked    whether the state word shows the waiter parked
 */
record BlockedWait(String name, boolean detaches, Consumer<Runnable> holdWhile, Runnable await,
                   BooleanSupplier parked) {
    static List<BlockedWait> all(Implementation impl) {
        PyMutex mutex = impl.newMutex();
        PyMutex timedMutex = impl.newMutex();
        RWMutex readerBehindWriter = impl.newRWMutex();
        RWMutex writerBehindReader = impl.newRWMutex();
        RWMutex writerBehindWriter = impl.newRWMutex();
        RecursiveMutex recursive = impl.newRecursiveMutex();
        OnceFlag once = impl.newOnceFlag();
        PyEvent event = impl.newEvent();
        PyEvent untimedEvent = impl.newEvent();
        PyEvent attachedEvent = impl.newEvent();
        RawMutex raw = impl.newRawMutex();
        return List.of(
                new BlockedWait("PyMutex_Lock", true,
                        body -> holding(mutex::lock, body, mutex::unlock),
                        () -> holding(mutex::lock, () -> { }, mutex::unlock),
                        () -> mutex.bits() == MutexContract.LOCKED_HAS_PARKED),
                new BlockedWait("_PyRWMutex_RLock behind a writer", true,
                        body -> holding(readerBehindWriter::lock, body, readerBehindWriter::unlock),
                        () -> holding(readerBehindWriter::rlock, () -> { }, readerBehindWriter::runlock),
                        () -> (readerBehindWriter.bits() & RWMutexContract.HAS_PARKED) != 0),
                new BlockedWait("_PyRWMutex_Lock behind a reader", true,
                        body -> holding(writerBehindReader::rlock, body, writerBehindReader::runlock),
                        () -> holding(writerBehindReader::lock, () -> { }, writerBehindReader::unlock),
                        () -> (writerBehindReader.bits() & RWMutexContract.HAS_PARKED) != 0),
                new BlockedWait("_PyRWMutex_Lock behind a writer", true,
                        body -> holding(writerBehindWriter::lock, body, writerBehindWriter::unlock),
                        () -> holding(writerBehindWriter::lock, () -> { }, writerBehindWriter::unlock),
                        () -> (writerBehindWriter.bits() & RWMutexContract.HAS_PARKED) != 0),
                new BlockedWait("_PyRecursiveMutex_Lock", true,
                        body -> holding(recursive::lock, body, recursive::unlock),
                        () -> holding(recursive::lock, () -> { }, recursive::unlock),
                        () -> recursive.mutex().bits() == MutexContract.LOCKED_HAS_PARKED),
                new BlockedWait("_PyOnceFlag_CallOnce", true,
                        body -> once.callOnce(body::run),
                        () -> once.callOnce(() -> fail("the action ran twice")),
                        () -> once.bits() == OnceFlagContract.RUNNING_HAS_PARKED),
                new BlockedWait("PyEvent_WaitTimed with detach", true,
                        body -> holding(() -> { }, body, event::set),
                        () -> assertTrue(event.await(Threads.HANG, true)),
                        () -> event.bits() == EventContract.HAS_PARKED),
                new BlockedWait("PyEvent_Wait", true,
                        body -> holding(() -> { }, body, untimedEvent::set),
                        untimedEvent::await,
                        () -> untimedEvent.bits() == EventContract.HAS_PARKED),
                new BlockedWait("_PyMutex_LockTimed without flags", false,
                        body -> holding(timedMutex::lock, body, timedMutex::unlock),
                        () -> holding(() -> assertEquals(LockStatus.ACQUIRED, timedMutex.lockTimed(Threads.HANG)),
                                () -> { }, timedMutex::unlock),
                        () -> timedMutex.bits() == MutexContract.LOCKED_HAS_PARKED),
                new BlockedWait("PyEvent_WaitTimed without detach", false,
                        body -> holding(() -> { }, body, attachedEvent::set),
                        () -> assertTrue(attachedEvent.await(Threads.HANG, false)),
                        () -> attachedEvent.bits() == EventContract.HAS_PARKED),
                new BlockedWait("_PyRawMutex_Lock", false,
                        body -> holding(raw::lock, body, raw::unlock),
                        () -> holding(raw::lock, () -> { }, raw::unlock),
                        () -> (raw.bits() & ~1L) != 0));
    }

    /**
     * Starts a thread of {@code threads} that takes the primitive and holds
     * it until the returned action runs; returns once that thread holds it.
     *
     * @param impl    the implementation under test
     * @param threads where the holding thread runs
     * @return releases the primitive
     */
    Runnable holdOnAnotherThread(Implementation impl, Threads threads) {
        PyEvent held = impl.newEvent();
        PyEvent release = impl.newEvent();
        threads.start("holder", () -> holdWhile.accept(() -> {
            held.set();
            assertTrue(release.await(Threads.HANG, false));
        }));
        assertTrue(held.await(Threads.HANG));
        return release::set;
    }

    private static void holding(Runnable take, Runnable body, Runnable release) {
        take.run();
        try {
            body.run();
        } finally {
            release.run();
        }
    }
}
