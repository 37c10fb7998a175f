package org.cpylock;

import org.cpylock.api.Flavour;
import org.cpylock.api.Implementation;
import org.cpylock.internal.NativeLibrary;
import org.cpylock.internal.ThreadState;
import org.cpylock.internal.waits.Waits;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The CPython this JVM's cpylock runs: the bundled library (CPython's lock
 * files compiled in), or, with {@code -Dcpylock.library=PATH|process}, a live
 * interpreter whose own functions, parking lot and thread states the facade
 * shares with its Python threads; its version and flavour; thread detach.
 */
public final class CPython {
    private CPython() {
    }

    /**
     * The CPython version: for the bundled library, that of the sources it
     * was compiled from ({@code PY_VERSION}, {@code Include/patchlevel.h}, for
     * example {@code "3.13.5"}); bound to an interpreter, the
     * interpreter's ({@code Py_Version}). Loads the library.
     *
     * @return the version, always a CPython 3.13 one (loading refuses any other)
     */
    public static String version() {
        NativeLibrary.ensureLoaded();
        return NativeLibrary.pythonVersion();
    }

    /**
     * The flavour this JVM uses: whether the library, or the interpreter, was
     * built with {@code Py_GIL_DISABLED} ({@code cpylock_gil_disabled}). Loads
     * the library: the flavour named by the system property
     * {@code cpylock.flavour}, unless one is loaded already; when it is not
     * set, the flavour of a CPython interpreter running in the process, if
     * any, else {@code free-threaded}; bound to an interpreter, the
     * interpreter's build (the property, if set, must name it).
     *
     * @return the flavour loaded, the same for the rest of this JVM's life
     * @throws IllegalArgumentException      if the property names no flavour
     * @throws UnsupportedOperationException if the jar has no library for this platform
     * @throws IllegalStateException         if the interpreter named by {@code cpylock.library}
     *                                       cannot be used (see {@link #interpreter()})
     */
    public static Flavour flavour() {
        return NativeLibrary.ensureLoaded();
    }

    /**
     * cpylock as an implementation of the API: its primitives, parking lot
     * and critical sections, in this JVM's flavour. The conformance suite and
     * the oracle run against it. Loads the library.
     *
     * @return the implementation, the same for the rest of this JVM's life
     */
    public static Implementation implementation() {
        NativeLibrary.ensureLoaded();
        return FacadeImplementation.INSTANCE;
    }

    /**
     * The libpython the facade is bound to ({@code -Dcpylock.library=PATH}, or
     * the one in the process with {@code -Dcpylock.library=process}), or empty
     * when it uses the bundled library. Loads the library; binding refuses,
     * with an {@link IllegalStateException} naming both, an interpreter that
     * is not CPython 3.13, or not of the flavour {@code cpylock.flavour} names,
     * or a second libpython in a process that has one.
     *
     * @return the path of the libpython bound to, or empty for the bundled library
     */
    public static Optional<Path> interpreter() {
        return Optional.ofNullable(NativeLibrary.interpreterLibrary());
    }

    /**
     * What this JVM's cpylock runs, for a log or a support request: the
     * CPython version, the flavour, the backend and its library file; and,
     * when it uses its bundled library in a process that runs a CPython
     * interpreter, a warning line saying so (that library's parking lot is
     * its own, so locks shared with that interpreter's threads would lose
     * wake-ups; {@code -Dcpylock.library=process} binds to it). That warning
     * is also logged once, on {@link System.Logger} {@code org.cpylock}, and
     * recorded as an {@code org.cpylock.UnboundInterpreter} JFR event. Loads
     * the library.
     *
     * @return one line, or two with the warning
     */
    public static String describe() {
        return NativeLibrary.describe();
    }

    /**
     * Runs Python code in the interpreter cpylock is bound to, in its
     * {@code __main__} module, on the calling thread: {@code PyGILState_Ensure},
     * {@code PyRun_SimpleString}, {@code PyGILState_Release}, as an embedding
     * C program runs it. Python threads the code starts go on after it
     * returns. The call holds the interpreter's GIL (default build) while the
     * code runs, and, on a virtual thread, its carrier.
     *
     * @param source Python statements
     * @throws IllegalStateException if cpylock uses its bundled library, if the calling thread holds
     *                               a critical section (it has a thread state of the interpreter
     *                               already), or if the code raised (its traceback is printed to
     *                               standard error, as {@code PyRun_SimpleString} prints it)
     */
    public static void run(String source) {
        Objects.requireNonNull(source, "source");
        NativeLibrary.runPython(source);
    }

    /**
     * Every thread waiting inside cpylock now, in the slow path of a lock, an
     * event, a once flag, a park or a contended critical section: what it
     * waits on, since when, with which flags, and who else waits on the same
     * address. The {@code org.cpylock:type=Waits} MBean shows the same, and
     * the {@code org.cpylock.Wait} JFR event records each wait that lasts
     * longer than its threshold (see docs/USING.md, "Observing waits").
     *
     * @return a snapshot, in no particular order
     */
    public static List<Wait> waits() {
        NativeLibrary.ensureLoaded();
        return Waits.snapshot();
    }

    /**
     * Loads {@code flavour} if no flavour is loaded yet, and checks that it is
     * the one this JVM uses (as {@link #flavour()}; no CPython function).
     *
     * @param flavour the flavour this JVM must use
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
     * @param action the blocking work, run on the calling thread while it is detached
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
