package org.cpylock.internal;

import org.cpylock.api.Flavour;
import org.cpylock.internal.ffi.CPyLock;
import org.cpylock.internal.ffi.CPyLockBundled;
import org.cpylock.internal.ffi.CPyLockInterpreter;
import org.cpylock.internal.waits.WaitsBean;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Loads the native library of one flavour, once per class loader: the jar's
 * {@code natives/<os>-<arch>/libcpylock-<flavour>.so}, extracted into a
 * cache directory (or the file {@code -Dcpylock.native.path} names), with
 * {@link System#load} by this class's loader, which is where the generated
 * bindings look symbols up ({@link LibraryFiles}); then checks that every
 * binding resolves in that file ({@link BindingCheck}).
 *
 * <p>With {@code cpylock.library} set, the facade binds to a CPython
 * interpreter instead ({@link InterpreterBackend}); its flavour is the
 * interpreter's build.
 *
 * <p>The two flavours export the same symbols and each has its own parking
 * lot, so a JVM loads exactly one: the first request decides, and a later
 * request for the other flavour fails.
 */
public final class NativeLibrary {
    /** System property naming the flavour: {@code free-threaded} (default) or {@code default}. */
    public static final String FLAVOUR_PROPERTY = "cpylock.flavour";
    /** System property naming an interpreter to bind to: a libpython's path, or {@code process}. */
    public static final String LIBRARY_PROPERTY = "cpylock.library";
    /** The CPython minor version whose structures the generated bindings describe. */
    static final String SUPPORTED_MINOR = "3.13";

    private static volatile Flavour loaded;
    private static volatile String pythonVersion;
    /** The interpreter bound to, or null for the bundled library. */
    private static volatile InterpreterBackend.Bound interpreter;
    /** With the bundled library, what was said of a running interpreter it is not bound to, or null. */
    private static volatile String unboundInterpreter;
    /** The library file loaded, or the interpreter library's. */
    private static volatile String source;

    private NativeLibrary() {
    }

    /** Loads the flavour named by {@code cpylock.flavour} unless a flavour is loaded; returns the loaded one. */
    public static Flavour ensureLoaded() {
        Flavour flavour = loaded;
        return flavour != null ? flavour : load(null);
    }

    /**
     * Loads {@code wanted} unless a flavour is loaded.
     *
     * @throws IllegalStateException if the other flavour is already loaded in this JVM
     */
    public static Flavour require(Flavour wanted) {
        Flavour flavour = loaded;
        if (flavour == null) {
            flavour = load(wanted);
        }
        if (flavour != wanted) {
            throw new IllegalStateException("cpylock has already loaded the " + flavour.id()
                    + " flavour in this JVM; the " + wanted.id() + " flavour cannot be loaded as well"
                    + " (each flavour has its own parking lot, and a JVM uses one; choose it with -D"
                    + FLAVOUR_PROPERTY + "=" + wanted.id() + " before first use)");
        }
        return flavour;
    }

    private static synchronized Flavour load(Flavour wanted) {
        if (loaded != null) {
            return loaded;
        }
        Flavour requested = wanted != null ? wanted : requestedFlavour();
        String library = System.getProperty(LIBRARY_PROPERTY);
        String source;
        Flavour flavour;
        if (library != null && !library.isBlank()) {
            InterpreterBackend.Bound bound = InterpreterBackend.bind(library.strip(), requested);
            flavour = bound.flavour();
            interpreter = bound;
            source = bound.libpython() + " (through libcpylock-interpreter-" + flavour.id() + ")";
        } else {
            // Beside a running interpreter, its flavour unless one is asked for.
            Optional<HostInterpreter.Found> host = HostInterpreter.find();
            flavour = requested != null ? requested : host.map(HostInterpreter.Found::flavour).orElse(Flavour.FREE_THREADED);
            if (host.isPresent()) {
                unboundInterpreter = host.get().warning(flavour);
                HostInterpreter.warn(host.get(), flavour);
            }
            String given = System.getProperty(LibraryFiles.NATIVE_PATH_PROPERTY);
            Path path = given != null && !given.isBlank() ? Path.of(given).toAbsolutePath()
                    : LibraryFiles.extract("cpylock-" + flavour.id());
            BindingCheck.requireDefinedBy(LibraryFiles.load(path), CPyLock.class, CPyLockBundled.class);
            source = path.toString();
        }
        LibraryFiles.debug("bound to " + source);
        String version = Native.pythonVersion();
        boolean gilDisabled = Native.gilDisabled();
        if (!version.startsWith(SUPPORTED_MINOR + ".") || gilDisabled != (flavour == Flavour.FREE_THREADED)) {
            throw new IllegalStateException(source + " reports CPython " + version + " with Py_GIL_DISABLED="
                    + gilDisabled + "; expected CPython " + SUPPORTED_MINOR + ".x, " + flavour.id() + " flavour");
        }
        pythonVersion = version;
        NativeLibrary.source = source;
        loaded = flavour;
        WaitsBean.register();
        return flavour;
    }

    /** Whether the facade is bound to an interpreter ({@code cpylock.library}); loads the library. */
    public static boolean isInterpreter() {
        ensureLoaded();
        return interpreter != null;
    }

    /** The interpreter's libpython, or null for the bundled library; loads the library. */
    public static Path interpreterLibrary() {
        ensureLoaded();
        InterpreterBackend.Bound bound = interpreter;
        return bound == null ? null : bound.libpython();
    }

    /**
     * What cpylock runs, in a few lines: the version, flavour and backend,
     * the library file, and what was said of a running interpreter it is not
     * bound to.
     */
    public static String describe() {
        ensureLoaded();
        StringBuilder text = new StringBuilder("cpylock: CPython " + pythonVersion + ", " + loaded.id() + " flavour, "
                + (interpreter == null ? "bundled library " : "bound to ") + source);
        String warning = unboundInterpreter;
        if (warning != null) {
            text.append(System.lineSeparator()).append("warning: ").append(warning);
        }
        return text.toString();
    }

    /** {@code cpylock_interpreter_run}: {@code source} in the bound interpreter's {@code __main__}. */
    public static void runPython(String source) {
        ensureLoaded();
        if (interpreter == null) {
            throw new IllegalStateException("CPython.run: cpylock uses its bundled library, which has no interpreter;"
                    + " bind it to one with -D" + LIBRARY_PROPERTY + "=PATH|process");
        }
        if (ThreadState.current().inCriticalSection()) {
            throw new IllegalStateException("CPython.run: the calling thread holds a critical section, and so a"
                    + " thread state of the interpreter; run Python code outside it");
        }
        int result;
        try (Arena arena = Arena.ofConfined()) {
            result = CPyLockInterpreter.cpylock_interpreter_run(arena.allocateFrom(source));
        }
        if (result != 0) {
            throw new IllegalStateException("CPython.run: the Python code raised (its traceback is on standard"
                    + " error)");
        }
    }

    /** {@code PY_VERSION} of the loaded library. */
    public static String pythonVersion() {
        ensureLoaded();
        return pythonVersion;
    }

    /** The flavour {@code cpylock.flavour} names, or null when it is not set. */
    private static Flavour requestedFlavour() {
        String value = System.getProperty(FLAVOUR_PROPERTY);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Flavour.fromId(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("system property " + FLAVOUR_PROPERTY + ": " + e.getMessage(), e);
        }
    }

    /** The resource path of a flavour's library for this platform. */
    static String resourceName(String platform, Flavour flavour) {
        return LibraryFiles.resourceName(platform, "cpylock-" + flavour.id());
    }

    /**
     * The library of {@code flavour} for {@code platform}, as packed in the jar.
     *
     * @throws UnsupportedOperationException if the jar has none for that platform
     */
    static byte[] libraryBytes(String platform, Flavour flavour) {
        return LibraryFiles.read(resourceName(platform, flavour), platform);
    }
}
