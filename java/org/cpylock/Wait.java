package org.cpylock;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A thread waiting inside cpylock, as {@link CPython#waits()} reports it.
 *
 * @param thread      the waiting thread
 * @param primitive   what it waits on: the facade class's simple name ({@code PyMutex}, {@code RWMutex},
 *                    ...; {@code ParkingLot} for a park, {@code CriticalSection} for a contended begin)
 * @param address     the address of the state word it waits on
 * @param stateWord   that word's value when the snapshot was taken
 * @param flags       what else describes the wait: CPython's flag names ({@code DETACH},
 *                    {@code HANDLE_SIGNALS}) and {@code timed} for a wait with a timeout
 * @param waited      how long it has waited
 * @param alsoWaiting the other threads waiting on the same address
 */
public record Wait(Thread thread, String primitive, long address, long stateWord, Set<String> flags, Duration waited,
                   List<Thread> alsoWaiting) {
}
