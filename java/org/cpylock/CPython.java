package org.cpylock;

import org.cpylock.internal.NativeLibrary;
import org.cpylock.internal.ThreadState;

import java.util.Objects;

/** The native library this JVM uses: its CPython version and flavour, and thread detach. */
public final class CPython {
    private CPython() {
    }

    /**
     * The version of the CPython sources the library was compiled from:
     * {@code PY_VERSION} ({@code Include/patchlevel.h}, for example
     * {@code "3.13.5"}), read through {@code cpylock_python_version}
     * ({@code native/src/exports.c}). Loads the library.
     */
    public static String version() {
        NativeLibrary.ensureLoaded();
        return NativeLibrary.pythonVersion();
    }

    /**
     * The flavour this JVM uses: whether the library was compiled with
     * {@code Py_GIL_DISABLED} ({@code cpylock_gil_disabled},
     * {@code native/src/exports.c}). Loads the library: the flavour named by the
     * system property {@code cpylock.flavour} ({@code free-threaded} unless
     * set), unless one is loaded already.
     *
     * @throws IllegalArgumentException      if the property names no flavour
     * @throws UnsupportedOperationException if the jar has no library for this platform
     */
    public static Flavour flavour() {
        return NativeLibrary.ensureLoaded();
    }

    /**
     * Loads {@code flavour} if no flavour is loaded yet, and checks that it is
     * the one this JVM uses (as {@link #flavour()}; no CPython function).
     *
     * @throws IllegalStateException if the other flavour is already in use
     */
    public static void requireFlavour(Flavour flavour) {
        NativeLibrary.require(Objects.requireNonNull(flavour, "flavour"));
    }

    /**
     * Runs {@code action} with the calling thread's state detached, as
     * {@code Py_BEGIN_ALLOW_THREADS}/{@code Py_END_ALLOW_THREADS} do around a
     * blocking call: {@code PyEval_ReleaseThread} before it (which, in the
     * free-threaded flavour, suspends the thread's critical sections, unlocking
     * their mutexes) and {@code PyEval_AcquireThread} after it, even if it
     * throws (which resumes the innermost critical section, locking its mutexes
     * again). Nested calls run the action without detaching again.
     *
     * @throws IllegalStateException if a mutex of one of the thread's critical
     *         sections was unlocked outside the section (free-threaded flavour;
     *         CPython would abort): nothing is suspended and the action does not run
     */
    public static void allowThreads(Runnable action) {
        Objects.requireNonNull(action, "action");
        NativeLibrary.ensureLoaded();
        ThreadState thread = ThreadState.current();
        if (!thread.isAttached()) {
            action.run();
            return;
        }
        if (!thread.detach()) {
            thread.attach();
            throw new IllegalStateException("CPython.allowThreads: a mutex of one of this thread's critical sections"
                    + " was unlocked outside the section, so the sections cannot be suspended; end them first");
        }
        try {
            action.run();
        } finally {
            thread.attach();
        }
    }
}
