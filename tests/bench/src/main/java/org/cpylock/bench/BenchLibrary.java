package org.cpylock.bench;

import org.cpylock.CPython;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The benchmarks' C side, {@code libcpylock-bench-<flavour>.so}
 * (native/bench/lock_bench.c), loaded after the production library of the
 * same flavour; it holds its own copy of the same compiled files (it calls
 * their internal functions, which the production library does not export),
 * and runs its C threads on its own mutexes. The build writes it to
 * {@code target/native/bench}; the system property {@code cpylock.bench.dir}
 * names another directory.
 */
public final class BenchLibrary {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = load();

    /** {@code double cpylock_bench_locks(int threads, int cs_length, int time_ms, int64_t *thread_iters)}. */
    private static final MethodHandle BENCH_LOCKS = LINKER.downcallHandle(
            LOOKUP.findOrThrow("cpylock_bench_locks"),
            FunctionDescriptor.of(ValueLayout.JAVA_DOUBLE, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS));

    /** {@code int cpylock_bench_uncontended(PyMutex *m, int64_t iterations)}. */
    private static final MethodHandle BENCH_UNCONTENDED = LINKER.downcallHandle(
            LOOKUP.findOrThrow("cpylock_bench_uncontended"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));

    /** {@code int cpylock_bench_uncontended_store_unlock(PyMutex *m, int64_t iterations)}. */
    private static final MethodHandle BENCH_UNCONTENDED_STORE_UNLOCK = LINKER.downcallHandle(
            LOOKUP.findOrThrow("cpylock_bench_uncontended_store_unlock"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));

    private BenchLibrary() {
    }

    private static SymbolLookup load() {
        String flavour = CPython.flavour().id(); // loads the production library first
        Path directory = Path.of(System.getProperty("cpylock.bench.dir", "target/native/bench"));
        Path library = directory.resolve(System.mapLibraryName("cpylock-bench-" + flavour));
        if (!Files.isRegularFile(library)) {
            throw new IllegalStateException("benchmark library " + library.toAbsolutePath() + " not found: build it"
                    + " with the Maven build (it is not part of the jar), or set -Dcpylock.bench.dir");
        }
        return SymbolLookup.libraryLookup(library, Arena.global());
    }

    /**
     * CPython's benchmark_locks with C threads: acquisitions per second, with
     * each thread's acquisitions written to {@code threadIters}.
     */
    public static double benchLocks(int threads, int criticalSectionLength, int timeMs, long[] threadIters) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment iters = arena.allocate(ValueLayout.JAVA_LONG, threads);
            double rate = (double) BENCH_LOCKS.invokeExact(threads, criticalSectionLength, timeMs, iters);
            if (rate < 0) {
                throw new IllegalStateException("cpylock_bench_locks could not start " + threads + " threads");
            }
            MemorySegment.copy(iters, ValueLayout.JAVA_LONG, 0, threadIters, 0, threads);
            return rate;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** {@code iterations} uncontended lock+unlock pairs on {@code mutex}, in C. */
    public static int benchUncontended(MemorySegment mutex, long iterations) {
        return loop(BENCH_UNCONTENDED, mutex, iterations);
    }

    /**
     * {@code iterations} uncontended pairs on {@code mutex}, in C, each a
     * {@code PyMutex_Lock} and an unlock by a store and a full fence (a Java
     * volatile store's instructions): what {@link java.util.concurrent.locks.ReentrantLock}'s
     * kind of unlock costs in C. {@code mutex} must be used by no other thread.
     */
    public static int benchUncontendedStoreUnlock(MemorySegment mutex, long iterations) {
        return loop(BENCH_UNCONTENDED_STORE_UNLOCK, mutex, iterations);
    }

    private static int loop(MethodHandle function, MemorySegment mutex, long iterations) {
        try {
            return (int) function.invokeExact(mutex, iterations);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
