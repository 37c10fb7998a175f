package org.cpylock.internal;

import org.cpylock.api.Flavour;
import org.cpylock.internal.ffi.CPyLock;
import org.cpylock.internal.ffi.CPyLockInterpreter;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Binds the facade to a live CPython 3.13 interpreter instead of the bundled
 * library: {@code -Dcpylock.library=PATH} (a libpython shared library,
 * loaded here into the process's global scope, as an embedding program loads
 * it) or {@code -Dcpylock.library=process} (the libpython already in the
 * process, for a CPython process that hosts the JVM).
 *
 * <p>The facade's {@code cpylock_*} functions then come from the interpreter
 * library, {@code libcpylock-interpreter-<flavour>} ({@code native/src/interpreter.c}),
 * whose references to CPython's functions the dynamic linker binds, when it
 * loads, to the interpreter's own (libpython is in the process's global
 * scope). Before loading it, every CPython name it references is checked to
 * resolve in that interpreter and nowhere else. If the interpreter is not
 * initialized, it is initialized here (its standard library found from the
 * library's own install prefix unless {@code PYTHONHOME} says otherwise) and
 * never finalized.
 */
final class InterpreterBackend {
    /** The value of {@code cpylock.library} that names the interpreter already in the process. */
    static final String PROCESS = "process";

    /** What was bound. */
    record Bound(Path libpython, Flavour flavour, boolean initializedHere) {
    }

    private InterpreterBackend() {
    }

    /**
     * Loads and binds the interpreter {@code spec} names.
     *
     * @param requested the flavour asked for, or null for the interpreter's
     * @throws IllegalStateException if it cannot be loaded, is not CPython 3.13, is not
     *         {@code requested}, is a second interpreter in the process, or does not start
     */
    static Bound bind(String spec, Flavour requested) {
        Path libpython;
        MemorySegment handle;
        Optional<DynamicLinker.LoadedObject> present = present();
        if (PROCESS.equals(spec)) {
            DynamicLinker.LoadedObject interpreter = present.orElseThrow(() -> new IllegalStateException("-D"
                    + NativeLibrary.LIBRARY_PROPERTY + "=process: no CPython interpreter is visible in this process's"
                    + " global scope: none is loaded, or one is linked into an executable that does not export the C"
                    + " API (linked without -Xlinker -export-dynamic), which cannot be bound. To embed a libpython,"
                    + " give its file: -D" + NativeLibrary.LIBRARY_PROPERTY + "=PATH"));
            libpython = interpreter.file();
            // An interpreter linked into the executable is in the global scope
            // already, and its symbols are found through the main program.
            handle = interpreter.mainProgram() ? DynamicLinker.mainProgram() : DynamicLinker.promoteToGlobal(libpython);
        } else {
            libpython = Path.of(spec).toAbsolutePath();
            if (present.isPresent() && !sameFile(present.get().file(), libpython)) {
                throw new IllegalStateException("-D" + NativeLibrary.LIBRARY_PROPERTY + "=" + spec + ": this process"
                        + " already has a CPython interpreter (" + describe(present.get()) + "); a second one would be"
                        + " a second interpreter. Bind to the one in the process with -D"
                        + NativeLibrary.LIBRARY_PROPERTY + "=process");
            }
            handle = DynamicLinker.openGlobal(libpython);
        }
        String version = version(libpython, handle);
        Flavour flavour = DynamicLinker.symbol(handle, "_Py_DecRefShared").equals(MemorySegment.NULL)
                ? Flavour.DEFAULT : Flavour.FREE_THREADED;
        if (requested != null && requested != flavour) {
            throw new IllegalStateException(libpython + " is a " + flavour.id() + " CPython " + version
                    + " (built " + (flavour == Flavour.FREE_THREADED ? "with" : "without")
                    + " Py_GIL_DISABLED); the " + requested.id() + " flavour was asked for (-D"
                    + NativeLibrary.FLAVOUR_PROPERTY + ")");
        }
        String library = "cpylock-interpreter-" + flavour.id();
        requireImportsFrom(handle, libpython, library);
        Path loaded;
        try {
            loaded = LibraryFiles.loadUnshared(LibraryFiles.extract(library));
        } catch (IllegalStateException e) {
            throw new IllegalStateException("cannot bind " + libpython + " in this class loader: another class loader"
                    + " of this JVM has bound cpylock to it (an interpreter can be bound by one class loader)", e);
        }
        BindingCheck.requireDefinedBy(loaded, CPyLock.class, CPyLockInterpreter.class);
        int started;
        try (Arena arena = Arena.ofConfined()) {
            Path home = System.getenv("PYTHONHOME") != null ? null : home(libpython, version, flavour);
            started = CPyLockInterpreter.cpylock_interpreter_start(
                    home == null ? MemorySegment.NULL : arena.allocateFrom(home.toString()));
        }
        if (started < 0) {
            throw new IllegalStateException("CPython " + version + " at " + libpython + " did not start: "
                    + CPyLockInterpreter.cpylock_interpreter_error().reinterpret(Long.MAX_VALUE).getString(0));
        }
        return new Bound(libpython, flavour, started == 1);
    }

    /**
     * Requires every name the interpreter library leaves for the dynamic
     * linker to bind (its {@code .imports} list, written by the build) to
     * resolve, in the process's global scope, to the interpreter's own
     * definition: so that the library calls that interpreter and nothing
     * else, however other libraries came into the process.
     */
    private static void requireImportsFrom(MemorySegment handle, Path libpython, String library) {
        String platform = Platform.current();
        String imports = new String(LibraryFiles.read(LibraryFiles.resourceName(platform, library) + ".imports",
                platform), StandardCharsets.UTF_8);
        for (String name : imports.split("\n")) {
            if (name.isBlank()) {
                continue;
            }
            MemorySegment own = DynamicLinker.symbol(handle, name);
            MemorySegment bound = DynamicLinker.symbol(MemorySegment.NULL, name);
            if (own.equals(MemorySegment.NULL)) {
                throw new IllegalStateException(libpython + " does not export " + name + ", which cpylock's interpreter"
                        + " backend calls; it needs a CPython 3.13 that exports its C API (an interpreter linked into"
                        + " its executable exports it when linked with -Xlinker -export-dynamic, as CPython's own"
                        + " build links it)");
            }
            if (!own.equals(bound)) {
                throw new IllegalStateException("the process's global scope resolves " + name + " in "
                        + DynamicLinker.objectAt(bound).map(o -> o.file().toString()).orElse("another object")
                        + " before " + libpython + "; cpylock would call that instead of the interpreter");
            }
        }
    }

    /** {@code Py_Version} as "major.minor.micro", refused unless 3.13. */
    private static String version(Path libpython, MemorySegment handle) {
        MemorySegment symbol = DynamicLinker.symbol(handle, "Py_Version");
        if (symbol.equals(MemorySegment.NULL)) {
            throw new IllegalStateException(libpython + " is not a CPython 3.11+ library (it has no Py_Version);"
                    + " cpylock's interpreter backend needs CPython 3.13");
        }
        long hex = symbol.reinterpret(ValueLayout.JAVA_LONG.byteSize()).get(ValueLayout.JAVA_LONG, 0);
        String version = ((hex >> 24) & 0xff) + "." + ((hex >> 16) & 0xff) + "." + ((hex >> 8) & 0xff);
        if (!version.startsWith(NativeLibrary.SUPPORTED_MINOR + ".")) {
            throw new IllegalStateException(libpython + " is CPython " + version + "; cpylock's interpreter backend"
                    + " needs CPython " + NativeLibrary.SUPPORTED_MINOR + ".x, whose lock structures and semantics it"
                    + " was built for");
        }
        return version;
    }

    /**
     * The install prefix the library lives under (PREFIX/lib/libpython...),
     * if the standard library is there; otherwise null, and the interpreter
     * finds it as it would for its own executable.
     */
    private static Path home(Path libpython, String version, Flavour flavour) {
        Path file;
        try {
            file = libpython.toRealPath();
        } catch (IOException e) {
            file = libpython.toAbsolutePath();
        }
        Path prefix = file.getParent().getParent();
        String minor = version.substring(0, version.lastIndexOf('.'));
        Path landmark = prefix.resolve("lib").resolve("python" + minor + (flavour == Flavour.FREE_THREADED ? "t" : ""))
                .resolve("os.py");
        return Files.isRegularFile(landmark) ? prefix : null;
    }

    /**
     * The CPython interpreter in the process's global scope (a libpython, or
     * an executable that CPython is linked into and that exports its C API),
     * if any: the object that defines {@code Py_IsInitialized}.
     */
    static Optional<DynamicLinker.LoadedObject> present() {
        return DynamicLinker.objectDefining("Py_IsInitialized");
    }

    /** "the libpython FILE" or "the executable FILE". */
    static String describe(DynamicLinker.LoadedObject interpreter) {
        return (interpreter.mainProgram() ? "linked into the executable " : "the libpython ") + interpreter.file();
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }
}
