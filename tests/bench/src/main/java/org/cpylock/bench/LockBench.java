package org.cpylock.bench;

import org.cpylock.CPython;
import org.cpylock.PyMutex;
import org.cpylock.RWMutex;
import org.cpylock.api.Flavour;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Collectors;

/**
 * lockbench: the Java counterpart of CPython's {@code Tools/lockbench/lockbench.py}
 * and {@code _testinternalcapi.benchmark_locks}. For each lock and thread
 * count, threads repeatedly lock, add to a shared double
 * {@code critical-section-length} times, and unlock, for a fixed time; the
 * table shows acquisitions per second (kHz), Jain's fairness index of the
 * per-thread counts, and the ratio to CPython's own loop run by C threads.
 */
public final class LockBench {
    private static final String USAGE = """
            Usage: lockbench [options]

            Measures lock acquisitions with short critical sections, as CPython's
            Tools/lockbench/lockbench.py does, for:
              c                  PyMutex locked by C threads, in CPython's benchmark_locks loop
                                 (native/bench/lock_bench.c, calling the library's PyMutex)
              java               PyMutex locked by Java threads through org.cpylock.PyMutex
              reentrant          java.util.concurrent.locks.ReentrantLock
              synchronized       a Java monitor
              port               the pure-Java port's PyMutex
              java-virtual, port-virtual, reentrant-virtual
                                 the same locks, locked by virtual threads
              reentrant-fair-virtual
                                 a fair ReentrantLock, which hands the lock to its oldest
                                 waiter as PyMutex does to one that has waited over 1 ms
              rw-virtual, rrwl-virtual
                                 org.cpylock.RWMutex and ReentrantReadWriteLock, locked by
                                 virtual threads: 7 acquisitions of 8 read-lock and read the
                                 shared value, the 8th write-locks and adds to it

            Columns:
              Acquisitions (kHz)  lock acquisitions per second by all threads, in thousands
              Fairness            Jain's fairness index of the per-thread acquisitions:
                                  1.0 when all threads acquired equally often, 1/N when one
                                  thread acquired every time
              vs C                acquisitions relative to the "c" row at the same thread count
              vs Java             (virtual threads) acquisitions relative to the
                                  java.util.concurrent row at the same thread count:
                                  "reentrant-virtual" for the mutexes, "rrwl-virtual"
                                  for rw-virtual
              Native              (virtual threads) the share of the carriers' time that the
                                  rows' waits spent in cpylock's native calls, which hold
                                  the carrier while they run (the parking lot's queueing;
                                  no virtual thread waits in native code): the Waits MBean's
                                  CarrierPinnedNanos over elapsed time times the scheduler's
                                  parallelism

            Options:
              --threads LIST                   thread counts, comma-separated (default 1,2,4,8)
              --virtual-threads LIST           thread counts of the virtual rows (default 2,8,1000,10000)
              --critical-section-length N      additions inside each critical section, as
                                               lockbench.py's argument (default 1)
              --time-ms N                      milliseconds per measurement (default 1000)
              --rows LIST                      rows to run, comma-separated (default all)
              --chart FILE.png                 also draw acquisitions against threads, one
                                               line per row, into FILE.png (platform threads)
                                               and FILE-virtual.png (virtual threads)
              --help                           this text

            The flavour (free-threaded unless the JVM has -Dcpylock.flavour=default; through
            Maven, -Dlockbench.flavour=default) applies to every PyMutex row. Progress goes to
            standard error, the table to standard output.
            """;

    private LockBench() {
    }

    /** The parsed command line. */
    record Options(List<Integer> threads, List<Integer> virtualThreads, int criticalSectionLength, int timeMs,
                   List<Row> rows, Path chart) {
        static Options parse(String... args) {
            List<Integer> threads = List.of(1, 2, 4, 8);
            List<Integer> virtualThreads = List.of(2, 8, 1000, 10_000);
            int length = 1;
            int timeMs = 1000;
            List<Row> rows = List.of(Row.values());
            Path chart = null;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (arg.isBlank()) {
                    continue;
                }
                switch (arg) {
                    case "--threads" -> threads = counts(value(args, ++i, arg), arg);
                    case "--virtual-threads" -> virtualThreads = counts(value(args, ++i, arg), arg);
                    case "--critical-section-length" -> length = nonNegative(value(args, ++i, arg), arg);
                    case "--time-ms" -> timeMs = positive(value(args, ++i, arg), arg);
                    case "--rows" -> rows = Arrays.stream(value(args, ++i, arg).split(","))
                            .map(s -> Row.named(s.trim())).distinct().toList();
                    case "--chart" -> chart = Path.of(value(args, ++i, arg));
                    default -> throw new IllegalArgumentException("unknown option " + arg + " (see --help)");
                }
            }
            return new Options(threads, virtualThreads, length, timeMs, rows, chart);
        }

        /** The thread counts a row is measured at. */
        List<Integer> threadsOf(Row row) {
            return row.virtual ? virtualThreads : threads;
        }

        private static List<Integer> counts(String list, String option) {
            return Arrays.stream(list.split(",")).map(s -> positive(s.trim(), option)).toList();
        }

        private static String value(String[] args, int index, String option) {
            if (index >= args.length) {
                throw new IllegalArgumentException(option + " needs a value (see --help)");
            }
            return args[index];
        }

        private static int positive(String text, String option) {
            int value = nonNegative(text, option);
            if (value == 0) {
                throw new IllegalArgumentException(option + " must be positive: " + text);
            }
            return value;
        }

        private static int nonNegative(String text, String option) {
            try {
                int value = Integer.parseInt(text);
                if (value < 0) {
                    throw new IllegalArgumentException(option + " must not be negative: " + text);
                }
                return value;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " takes a number, not '" + text + "'");
            }
        }
    }

    /** A lock measured by lockbench. */
    enum Row {
        C("c", "PyMutex (C threads)", false),
        JAVA("java", "PyMutex (Java threads)", false),
        REENTRANT("reentrant", "ReentrantLock", false),
        SYNCHRONIZED("synchronized", "synchronized", false),
        PORT("port", "port's PyMutex (Java threads)", false),
        JAVA_VIRTUAL("java-virtual", "PyMutex (virtual threads)", true),
        PORT_VIRTUAL("port-virtual", "port's PyMutex (virtual threads)", true),
        REENTRANT_VIRTUAL("reentrant-virtual", "ReentrantLock (virtual threads)", true),
        REENTRANT_FAIR_VIRTUAL("reentrant-fair-virtual", "fair ReentrantLock (virtual threads)", true),
        RW_VIRTUAL("rw-virtual", "RWMutex, 1 write in 8 (virtual threads)", true),
        RRWL_VIRTUAL("rrwl-virtual", "ReentrantReadWriteLock, 1 write in 8 (virtual)", true);

        final String id;
        final String label;
        final boolean virtual;

        Row(String id, String label, boolean virtual) {
            this.id = id;
            this.label = label;
            this.virtual = virtual;
        }

        static Row named(String id) {
            for (Row row : values()) {
                if (row.id.equals(id)) {
                    return row;
                }
            }
            throw new IllegalArgumentException("unknown row '" + id + "': expected one of "
                    + Arrays.stream(values()).map(row -> row.id).collect(Collectors.joining(", ")));
        }
    }

    /**
     * One measurement: acquisitions per second, per-thread acquisitions, and
     * the share of the carriers' time spent in cpylock's native calls by waits (NaN
     * for rows whose waits are not cpylock's).
     */
    record Result(double rate, long[] threadIters, double nativeShare) {
        double kiloHertz() {
            return rate / 1000;
        }

        double fairness() {
            return jainsFairness(threadIters);
        }
    }

    /** Jain's fairness index: (sum x)^2 / (n * sum x^2). */
    static double jainsFairness(long[] values) {
        double sum = 0;
        double squares = 0;
        for (long value : values) {
            sum += value;
            squares += (double) value * value;
        }
        return squares == 0 ? 1.0 : sum * sum / (values.length * squares);
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.print(USAGE);
            return;
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("lockbench: " + e.getMessage());
            System.exit(2);
            return;
        }
        Map<Row, Map<Integer, Result>> results = run(options);
        System.out.print(table(options, results));
        if (options.chart() != null) {
            LockBenchChart.write(options, results);
            System.err.println("lockbench: chart written to " + options.chart().toAbsolutePath());
        }
    }

    /** Runs every row at every thread count, reporting progress on standard error. */
    static Map<Row, Map<Integer, Result>> run(Options options) throws InterruptedException {
        System.err.printf(Locale.ROOT, "lockbench: CPython %s, %s flavour, critical section length %d, %d ms per point%n",
                CPython.version(), CPython.flavour().id(), options.criticalSectionLength(), options.timeMs());
        Map<Row, Map<Integer, Result>> results = new LinkedHashMap<>();
        for (Row row : options.rows()) {
            Map<Integer, Result> byThreads = new LinkedHashMap<>();
            for (int threads : options.threadsOf(row)) {
                if (row != Row.C) {
                    // Each point is warmed up at its own thread count: contention runs the
                    // lock's slow paths, which one thread never reaches and the JIT has not compiled.
                    measure(row, threads, options.criticalSectionLength(), Math.min(options.timeMs(), 500));
                }
                System.err.printf("lockbench: %s, %d thread%s ...", row.label, threads, threads == 1 ? "" : "s");
                Result result = measure(row, threads, options.criticalSectionLength(), options.timeMs());
                System.err.printf(Locale.ROOT, " %.0f kHz%n", result.kiloHertz());
                byThreads.put(threads, result);
            }
            results.put(row, byThreads);
        }
        return results;
    }

    static String table(Options options, Map<Row, Map<Integer, Result>> results) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "lockbench: CPython %s, %s flavour, critical section length %d,"
                        + " %d ms per point%n", CPython.version(), CPython.flavour().id(),
                options.criticalSectionLength(), options.timeMs()));
        int width = 2 + results.keySet().stream().mapToInt(row -> row.label.length()).max().orElse(4);
        Map<Integer, Result> c = results.get(Row.C);
        boolean header = false;
        for (Map.Entry<Row, Map<Integer, Result>> entry : results.entrySet()) {
            if (!entry.getKey().virtual) {
                if (!header) {
                    out.append(String.format("%-" + width + "s%8s%22s%11s%8s%n", "Lock", "Threads",
                            "Acquisitions (kHz)", "Fairness", "vs C"));
                    header = true;
                }
                entry.getValue().forEach((threads, result) -> out.append(String.format(Locale.ROOT,
                        "%-" + width + "s%8d%22.0f%11.2f%8s%n", entry.getKey().label, threads, result.kiloHertz(),
                        result.fairness(), ratio(result, c, threads))));
            }
        }
        header = false;
        for (Map.Entry<Row, Map<Integer, Result>> entry : results.entrySet()) {
            if (entry.getKey().virtual) {
                if (!header) {
                    out.append(String.format("%n%-" + width + "s%16s%22s%11s%9s%8s%n", "Lock", "Virtual threads",
                            "Acquisitions (kHz)", "Fairness", "vs Java", "Native"));
                    header = true;
                }
                Map<Integer, Result> java = results.get(entry.getKey() == Row.RW_VIRTUAL || entry.getKey() == Row.RRWL_VIRTUAL
                        ? Row.RRWL_VIRTUAL : Row.REENTRANT_VIRTUAL);
                entry.getValue().forEach((threads, result) -> out.append(String.format(Locale.ROOT,
                        "%-" + width + "s%16d%22.0f%11.2f%9s%8s%n", entry.getKey().label, threads,
                        result.kiloHertz(), result.fairness(), ratio(result, java, threads),
                        Double.isNaN(result.nativeShare()) ? "-"
                                : String.format(Locale.ROOT, "%.0f%%", 100 * result.nativeShare()))));
            }
        }
        return out.toString();
    }

    private static String ratio(Result result, Map<Integer, Result> baseline, int threads) {
        Result base = baseline == null ? null : baseline.get(threads);
        return base == null ? "-" : String.format(Locale.ROOT, "%.2f", result.rate() / base.rate());
    }

    static Result measure(Row row, int threads, int criticalSectionLength, int timeMs) throws InterruptedException {
        if (row == Row.C) {
            long[] iters = new long[threads];
            double rate = BenchLibrary.benchLocks(threads, criticalSectionLength, timeMs, iters);
            return new Result(rate, iters, Double.NaN);
        }
        Shared shared = new Shared();
        PyMutex pyMutex = new PyMutex();
        org.cpylock.port.PyMutex portMutex = BenchPort.port().newMutex();
        ReentrantLock reentrantLock = new ReentrantLock(row == Row.REENTRANT_FAIR_VIRTUAL);
        RWMutex rwMutex = new RWMutex();
        ReentrantReadWriteLock readWriteLock = new ReentrantReadWriteLock();
        Object monitor = new Object();
        long[] iters = new long[threads];
        List<Thread> workers = new ArrayList<>(threads);
        long pinnedBefore = PinnedTime.nanos();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int index = t;
            Runnable loop = switch (row) {
                case JAVA, JAVA_VIRTUAL -> () -> iters[index] = loopPyMutex(shared, pyMutex, criticalSectionLength);
                case REENTRANT, REENTRANT_VIRTUAL, REENTRANT_FAIR_VIRTUAL ->
                        () -> iters[index] = loopReentrantLock(shared, reentrantLock, criticalSectionLength);
                case RW_VIRTUAL -> () -> iters[index] = loopReadWrite(shared, rwMutex.readLock(), rwMutex.writeLock(),
                        criticalSectionLength);
                case RRWL_VIRTUAL -> () -> iters[index] = loopReadWrite(shared, readWriteLock.readLock(),
                        readWriteLock.writeLock(), criticalSectionLength);
                case PORT, PORT_VIRTUAL -> () -> iters[index] = loopPortMutex(shared, portMutex, criticalSectionLength);
                case SYNCHRONIZED -> () -> iters[index] = loopSynchronized(shared, monitor, criticalSectionLength);
                case C -> throw new AssertionError();
            };
            Thread.Builder builder = row.virtual ? Thread.ofVirtual() : Thread.ofPlatform();
            workers.add(builder.name("lockbench-" + row.id + "-" + t).start(loop));
        }
        Thread.sleep(timeMs);
        shared.stop = true;
        for (Thread worker : workers) {
            worker.join();
        }
        long elapsed = System.nanoTime() - start;
        long total = Arrays.stream(iters).sum();
        double pinned = row == Row.JAVA_VIRTUAL || row == Row.RW_VIRTUAL
                ? (double) (PinnedTime.nanos() - pinnedBefore) / ((double) elapsed * PinnedTime.CARRIERS) : Double.NaN;
        return new Result(total * 1e9 / elapsed, iters, pinned);
    }

    // CPython's loop: lock, critical_section_length additions, unlock, until
    // stopped. Each thread runs it in rounds of ROUND iterations (still checking
    // the stop flag every iteration), so that the JIT compiles the round as a
    // method rather than only as an on-stack replacement of one endless loop.
    // The lock types have separate copies, each compiled for one type.

    private static final int ROUND = 1024;

    private static long loopPyMutex(Shared shared, PyMutex lock, int length) {
        long iters = 0;
        while (!shared.stop) {
            iters += roundPyMutex(shared, lock, length);
        }
        return iters;
    }

    private static int roundPyMutex(Shared shared, PyMutex lock, int length) {
        double myValue = 1.0;
        int iters = 0;
        while (iters < ROUND && !shared.stopped()) {
            lock.lock();
            for (int i = 0; i < length; i++) {
                shared.value += myValue;
                myValue = shared.value;
            }
            lock.unlock();
            iters++;
        }
        return iters;
    }

    private static long loopPortMutex(Shared shared, org.cpylock.port.PyMutex lock, int length) {
        long iters = 0;
        while (!shared.stop) {
            iters += roundPortMutex(shared, lock, length);
        }
        return iters;
    }

    private static int roundPortMutex(Shared shared, org.cpylock.port.PyMutex lock, int length) {
        double myValue = 1.0;
        int iters = 0;
        while (iters < ROUND && !shared.stopped()) {
            lock.lock();
            for (int i = 0; i < length; i++) {
                shared.value += myValue;
                myValue = shared.value;
            }
            lock.unlock();
            iters++;
        }
        return iters;
    }

    private static long loopReentrantLock(Shared shared, ReentrantLock lock, int length) {
        long iters = 0;
        while (!shared.stop) {
            iters += roundReentrantLock(shared, lock, length);
        }
        return iters;
    }

    private static int roundReentrantLock(Shared shared, ReentrantLock lock, int length) {
        double myValue = 1.0;
        int iters = 0;
        while (iters < ROUND && !shared.stopped()) {
            lock.lock();
            for (int i = 0; i < length; i++) {
                shared.value += myValue;
                myValue = shared.value;
            }
            lock.unlock();
            iters++;
        }
        return iters;
    }

    private static long loopReadWrite(Shared shared, Lock read, Lock write, int length) {
        long iters = 0;
        while (!shared.stop) {
            iters += roundReadWrite(shared, read, write, length);
        }
        return iters;
    }

    /** Seven read-locked reads of the shared value, then one write-locked addition, and again. */
    private static int roundReadWrite(Shared shared, Lock read, Lock write, int length) {
        double myValue = 1.0;
        int iters = 0;
        while (iters < ROUND && !shared.stopped()) {
            if ((iters & 7) == 7) {
                write.lock();
                for (int i = 0; i < length; i++) {
                    shared.value += myValue;
                }
                write.unlock();
            } else {
                read.lock();
                for (int i = 0; i < length; i++) {
                    myValue = shared.value;
                }
                read.unlock();
            }
            iters++;
        }
        return iters;
    }

    private static long loopSynchronized(Shared shared, Object monitor, int length) {
        long iters = 0;
        while (!shared.stop) {
            iters += roundSynchronized(shared, monitor, length);
        }
        return iters;
    }

    private static int roundSynchronized(Shared shared, Object monitor, int length) {
        double myValue = 1.0;
        int iters = 0;
        while (iters < ROUND && !shared.stopped()) {
            synchronized (monitor) {
                for (int i = 0; i < length; i++) {
                    shared.value += myValue;
                    myValue = shared.value;
                }
            }
            iters++;
        }
        return iters;
    }

    /** The stop flag and the shared value, kept on separate cache lines as CPython's bench_data_locks pads them. */
    static final class Shared extends SharedValue {
        long p20, p21, p22, p23, p24, p25, p26, p27;
    }

    abstract static class SharedStop {
        private static final java.lang.invoke.VarHandle STOP;

        static {
            try {
                STOP = java.lang.invoke.MethodHandles.lookup().findVarHandle(SharedStop.class, "stop", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        long p00, p01, p02, p03, p04, p05, p06, p07;
        volatile boolean stop;

        /** The stop flag, read as CPython's loop reads it: a relaxed atomic load (opaque). */
        final boolean stopped() {
            return (boolean) STOP.getOpaque(this);
        }
    }

    abstract static class SharedPad extends SharedStop {
        long p10, p11, p12, p13, p14, p15, p16, p17;
    }

    abstract static class SharedValue extends SharedPad {
        double value;
    }
}
