package org.cpylock.tck;

import org.cpylock.LockFlag;
import org.cpylock.LockStatus;

import java.time.Duration;

/** CPython's {@code PyMutex} as the conformance suite drives it. */
public interface Mutex {
    /** {@code PyMutex_Lock}. */
    void lock();

    /** {@code PyMutex_Unlock}; throws {@link IllegalMonitorStateException} if not locked. */
    void unlock();

    /** {@code _PyMutex_LockTimed(m, 0, 0)}. */
    boolean tryLock();

    /** {@code _PyMutex_LockTimed}: negative timeout waits forever. */
    LockStatus lockTimed(Duration timeout, LockFlag... flags);

    /** {@code PyMutex_IsLocked}. */
    boolean isLocked();

    /** The state byte {@code _bits}. */
    int bits();
}
