package org.cpylock.stress;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The signal storms' C side, {@code libcpylock-signals.so}
 * (native/test/signal_storm.c): a thread that signals chosen threads of this
 * process at a fixed interval. The build writes it to
 * {@code target/native/test-support}; the system property
 * {@code cpylock.test.dir} names another directory.
 */
final class StormLibrary {
    /** Linux's signal numbers (the same on x86-64 and AArch64). */
    static final int SIGQUIT = 3;
    static final int SIGPROF = 27;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = load();
    private static final MethodHandle COUNT = LINKER.downcallHandle(LOOKUP.findOrThrow("cpylock_storm_count"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle START = LINKER.downcallHandle(LOOKUP.findOrThrow("cpylock_storm_start"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS));
    private static final MethodHandle STOP = LINKER.downcallHandle(LOOKUP.findOrThrow("cpylock_storm_stop"),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle HANDLED = LINKER.downcallHandle(LOOKUP.findOrThrow("cpylock_storm_handled"),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG));

    private StormLibrary() {
    }

    private static SymbolLookup load() {
        Path directory = Path.of(System.getProperty("cpylock.test.dir", "target/native/test-support"));
        Path library = directory.resolve(System.mapLibraryName("cpylock-signals"));
        if (!Files.isRegularFile(library)) {
            throw new IllegalStateException("test library " + library.toAbsolutePath() + " not found: build it with"
                    + " the Maven build (it is not part of the jar), or set -Dcpylock.test.dir");
        }
        return SymbolLookup.libraryLookup(library, Arena.global());
    }

    /**
     * Installs a handler for {@code signal} that only counts, with
     * {@code SA_RESTART} (as profilers install theirs) or without it.
     */
    static void count(int signal, boolean restart) {
        try {
            if ((int) COUNT.invokeExact(signal, restart ? 1 : 0) != 0) {
                throw new IllegalStateException("cannot install a handler for signal " + signal);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Starts sending {@code signal} every {@code intervalMicros} µs to every
     * thread whose name starts with one of the comma-separated
     * {@code prefixes}, or to the process when they are empty.
     *
     * @return the storm's id, for {@link #stop}
     */
    static int start(int signal, int intervalMicros, String prefixes) {
        try (Arena arena = Arena.ofConfined()) {
            int id = (int) START.invokeExact(signal, intervalMicros, arena.allocateFrom(prefixes));
            if (id < 0) {
                throw new IllegalStateException("cannot start a storm of signal " + signal);
            }
            return id;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Stops a storm; returns how many signals it sent. */
    static long stop(int id) {
        try {
            return (long) STOP.invokeExact(id);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** How many signals the counting handler has taken. */
    static long handled() {
        try {
            return (long) HANDLED.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
