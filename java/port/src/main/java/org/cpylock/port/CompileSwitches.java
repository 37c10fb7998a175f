package org.cpylock.port;

import org.cpylock.api.Flavour;

/**
 * The two compile-time switches of CPython that differ between its builds
 * ({@link Flavour}): the builds share every algorithm, and this enum carries
 * the switches as data.
 */
enum CompileSwitches {
    /**
     * CPython's default (GIL) build: {@code MAX_SPIN_COUNT} is 0 in
     * {@code Python/lock.c}, and the critical-section macros of
     * {@code Include/internal/pycore_critical_section.h} expand to nothing.
     */
    DEFAULT(0, false),

    /**
     * CPython's free-threaded build ({@code Py_GIL_DISABLED}): a contended
     * {@code PyMutex} yields up to 40 times before parking, and critical
     * sections lock their mutexes and are suspended when the thread detaches.
     */
    FREE_THREADED(40, true);

    /*
     * Implementation notes: each constant records the two values that
     * Py_GIL_DISABLED changes; nothing else in the port tests the flavour.
     */

    private final int maxSpinCount;
    private final boolean criticalSectionsLock;

    CompileSwitches(int maxSpinCount, boolean criticalSectionsLock) {
        this.maxSpinCount = maxSpinCount;
        this.criticalSectionsLock = criticalSectionsLock;
    }

    /**
     * {@code MAX_SPIN_COUNT} ({@code Python/lock.c}, line 27-31): how many
     * times {@code _PyMutex_LockTimed} yields before it parks.
     *
     * @return 40 for the free-threaded build, 0 for the default build
     */
    int maxSpinCount() {
        return maxSpinCount;
    }

    /**
     * Whether {@code Py_GIL_DISABLED} is defined, so that
     * {@code _PyCriticalSection_BeginMutex} and friends
     * ({@code Include/internal/pycore_critical_section.h}) lock and push.
     *
     * @return true for the free-threaded build
     */
    boolean criticalSectionsLock() {
        return criticalSectionsLock;
    }

    /**
     * The switches of a build.
     *
     * @param flavour the build
     * @return its switches
     */
    static CompileSwitches of(Flavour flavour) {
        return switch (flavour) {
            case DEFAULT -> DEFAULT;
            case FREE_THREADED -> FREE_THREADED;
        };
    }
}
