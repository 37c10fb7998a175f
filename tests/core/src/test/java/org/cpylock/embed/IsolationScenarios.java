package org.cpylock.embed;

import org.cpylock.CPython;
import org.cpylock.CriticalSection;
import org.cpylock.OnceFlag;
import org.cpylock.ParkingLot;
import org.cpylock.PyEvent;
import org.cpylock.PyMutex;
import org.cpylock.RWMutex;
import org.cpylock.RawMutex;
import org.cpylock.RecursiveMutex;
import org.cpylock.SeqLock;
import org.cpylock.api.Flavour;
import org.cpylock.api.LockFlag;
import org.cpylock.api.LockStatus;
import org.cpylock.api.ParkStatus;
import org.cpylock.internal.NativeFiles;
import org.cpylock.tck.Threads;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The scenarios that show whether the bundled library stays itself when a
 * libpython shares the process, one per primitive: a critical section
 * suspended during a detached wait, a hand-off, a park woken by an unpark
 * that sees its argument, {@code unparkAll}, an event, read-write waits both
 * ways, a raw mutex, a recursive mutex, a once flag's waiter, a sequence
 * lock. Each wait is bounded, so a lost wake-up fails instead of hanging;
 * each would go wrong if any reference of the library, or any lookup of the
 * bindings, found libpython's definition of the same name. (Waits without a
 * timeout end within {@code -Dcpylock.tck.hang-seconds}, or fail.)
 *
 * <pre>
 * IsolationScenarios WAY LIBRARY
 *   dlopen-before     LIBRARY (a libpython) is loaded globally (dlopen RTLD_NOW | RTLD_GLOBAL) before cpylock's first use
 *   dlopen-after      the scenarios run, LIBRARY is loaded globally, and they run again
 *   jni-first         LIBRARY (linked against a libpython, as JPype's and JEP's JNI libraries are) is loaded with
 *                     System.load by this class loader before cpylock's first use, under a name its native
 *                     libraries map orders before cpylock's library (the order the loader's lookup searches)
 *   jni-last          the same, ordered after cpylock's library
 *   jni-other-loader  LIBRARY is loaded with System.load by another class loader
 * </pre>
 * For the {@code jni-*} ways, the libpython LIBRARY needs is found through
 * {@code LD_LIBRARY_PATH}; those ways need
 * {@code --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/jdk.internal.loader=ALL-UNNAMED}
 * to read the loader's order. Prints a line per scenario and exits with
 * status 1 if one failed.
 */
public final class IsolationScenarios {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private IsolationScenarios() {
    }

    public static void main(String[] args) throws Exception {
        String way = args[0];
        Path library = Path.of(args[1]).toAbsolutePath();
        List<String> failures = new ArrayList<>();
        switch (way) {
            case "dlopen-before" -> {
                NativeFiles.openGlobal(library);
                System.out.println("loaded " + library + " globally before cpylock's first use");
            }
            case "dlopen-after" -> {
                runAll("without libpython", failures);
                NativeFiles.openGlobal(library);
                System.out.println("loaded " + library + " globally after cpylock's first use");
            }
            case "jni-first", "jni-last" -> loadInThisLoader(library, way.equals("jni-first"));
            case "jni-other-loader" -> loadInAnotherLoader(library);
            default -> throw new IllegalArgumentException("unknown way " + way);
        }
        runAll("beside libpython", failures);
        if (way.startsWith("jni-") && !way.equals("jni-other-loader")) {
            requireLoaderOrder(way.equals("jni-first"), failures);
        }
        System.out.println(failures.isEmpty() ? "IsolationScenarios: no failures" : "IsolationScenarios: " + failures);
        System.exit(failures.isEmpty() ? 0 : 1);
    }

    /** The copy of the JNI library this loader loaded, and cpylock's library, as the loader's map names them. */
    private static Path jniCopy;
    private static Path cpylockLibrary;

    /**
     * Loads a copy of {@code jni} with {@link System#load} in this class
     * loader, named so that the loader's map of native libraries (a
     * {@link ConcurrentHashMap} keyed by canonical path) orders it before or
     * after cpylock's library, which is then loaded by the first use; and
     * checks that the loader's lookup now finds libpython's CPython functions.
     */
    private static void loadInThisLoader(Path jni, boolean first) throws IOException {
        cpylockLibrary = NativeFiles.bundledLibrary(Flavour.fromId(System.getProperty("cpylock.flavour")));
        Path directory = Files.createDirectories(Path.of("target", "embed", "jni")).toRealPath();
        for (int i = 0; jniCopy == null; i++) {
            Path candidate = directory.resolve("libjni-" + i + "-" + jni.getFileName());
            Map<String, Boolean> map = new ConcurrentHashMap<>();
            map.put(candidate.toString(), true);
            map.put(cpylockLibrary.toString(), true);
            if (map.keySet().iterator().next().equals(candidate.toString()) == first) {
                jniCopy = candidate;
            }
        }
        Files.copy(jni, jniCopy, StandardCopyOption.REPLACE_EXISTING);
        System.load(jniCopy.toString());
        System.out.println("loaded " + jniCopy + " (a copy of " + jni + ") with System.load, before cpylock's first use");
        MemorySegment notify = SymbolLookup.loaderLookup().find("_PyEvent_Notify").orElseThrow(() ->
                new AssertionError("the loader's lookup does not find libpython's _PyEvent_Notify"));
        Path definer = NativeFiles.fileAt(notify).orElseThrow();
        if (!definer.getFileName().toString().startsWith("libpython")) {
            throw new AssertionError("the loader's lookup finds _PyEvent_Notify in " + definer + ", not in libpython");
        }
        System.out.println("this loader's lookup finds _PyEvent_Notify in " + definer);
    }

    /** Loads {@code jni} with {@link System#load} from a class of another class loader. */
    private static void loadInAnotherLoader(Path jni) throws ReflectiveOperationException, IOException {
        URL classes = IsolationScenarios.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader other = new URLClassLoader(new URL[]{classes}, ClassLoader.getPlatformClassLoader())) {
            Class<?> loader = other.loadClass(LibraryLoader.class.getName());
            if (loader.getClassLoader() != other) {
                throw new AssertionError("LibraryLoader was not defined by the other class loader");
            }
            loader.getMethod("load", String.class).invoke(null, jni.toString());
        }
        System.out.println("loaded " + jni + " with System.load by another class loader, before cpylock's first use");
    }

    /** The JNI library came before (or after) cpylock's in this loader's order, as arranged. */
    private static void requireLoaderOrder(boolean first, List<String> failures) throws ReflectiveOperationException {
        // ClassLoader's fields are hidden from reflection, not from a private lookup.
        Object libraries = MethodHandles.privateLookupIn(ClassLoader.class, MethodHandles.lookup())
                .findVarHandle(ClassLoader.class, "libraries", Class.forName("jdk.internal.loader.NativeLibraries"))
                .get(IsolationScenarios.class.getClassLoader());
        Field map = libraries.getClass().getDeclaredField("libraries");
        map.setAccessible(true);
        List<String> order = new ArrayList<>(((Map<?, ?>) map.get(libraries)).keySet().stream()
                .map(Object::toString).toList());
        System.out.println("this loader's native libraries, in lookup order: " + order);
        int jni = order.indexOf(jniCopy.toString());
        int cpylock = order.indexOf(cpylockLibrary.toString());
        if (jni < 0 || cpylock < 0 || (jni < cpylock) != first) {
            failures.add("the loader's order is not the one arranged (JNI library " + (first ? "first" : "last") + ")");
        }
    }

    private static void runAll(String when, List<String> failures) {
        System.out.println("cpylock " + CPython.version() + ", " + CPython.flavour().id() + " flavour, " + when);
        run("critical section suspended during a detached wait", IsolationScenarios::sectionSuspendedWhileDetached,
                failures);
        run("hand-off to a waiter parked over 1 ms", IsolationScenarios::handOff, failures);
        run("park woken by an unpark that sees its argument", IsolationScenarios::parkAndUnpark, failures);
        run("parks woken by unparkAll", IsolationScenarios::unparkAll, failures);
        run("event set wakes its waiter", IsolationScenarios::event, failures);
        run("readers parked behind a writer woken by its unlock", IsolationScenarios::readersBehindWriter, failures);
        run("writer parked behind a reader woken by its runlock", IsolationScenarios::writerBehindReader, failures);
        run("raw mutex waiter woken by unlock", IsolationScenarios::rawMutex, failures);
        run("recursive mutex waiter gets it after the owner's last unlock", IsolationScenarios::recursiveMutex,
                failures);
        run("once flag's waiter woken when the action ends", IsolationScenarios::onceFlag, failures);
        run("sequence lock: writers, readers, abandon", IsolationScenarios::seqLock, failures);
    }

    private static void run(String name, Runnable scenario, List<String> failures) {
        try {
            scenario.run();
            System.out.println("  ok " + name);
        } catch (Throwable e) {
            System.out.println("  FAILED " + name + ": " + e);
            failures.add(name);
        }
    }

    /**
     * Thread T holds a section on {@code a} and waits for {@code b} with
     * DETACH: its section is suspended, so {@code a} is free meanwhile
     * (free-threaded; the default flavour's sections lock nothing).
     */
    private static void sectionSuspendedWhileDetached() {
        PyMutex a = new PyMutex();
        PyMutex b = new PyMutex();
        boolean freeThreaded = CPython.flavour() == Flavour.FREE_THREADED;
        AtomicReference<LockStatus> status = new AtomicReference<>();
        AtomicBoolean sectionLocked = new AtomicBoolean();
        b.lock();
        try (Threads threads = new Threads()) {
            threads.start("section-holder", () -> {
                try (CriticalSection section = CriticalSection.begin(a)) {
                    sectionLocked.set(a.isLocked());
                    status.set(b.lockTimed(Duration.ofSeconds(10), LockFlag.DETACH));
                    if (status.get() == LockStatus.ACQUIRED) {
                        b.unlock();
                    }
                }
            });
            Threads.awaitBits(b::bits, 3, "the section holder to park on b");
            boolean acquired = a.tryLock(2, TimeUnit.SECONDS);
            require(acquired, "a.tryLock(2 s) failed: the waiting thread's section was not suspended");
            a.unlock();
            b.unlock();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        require(sectionLocked.get() == freeThreaded, "the section " + (freeThreaded ? "did not lock" : "locked") + " a");
        require(status.get() == LockStatus.ACQUIRED, "the detached wait ended with " + status.get());
        require(a.bits() == 0 && b.bits() == 0, "bytes left a=" + a.bits() + " b=" + b.bits());
    }

    /** A waiter parked for over 1 ms receives the mutex on unlock: the byte goes 3 to 1. */
    private static void handOff() {
        PyMutex m = new PyMutex();
        PyEvent acquired = new PyEvent();
        PyEvent release = new PyEvent();
        m.lock();
        int afterUnlock;
        try (Threads threads = new Threads()) {
            threads.start("waiter", () -> {
                m.lock();
                acquired.set();
                release.await(WAIT);
                m.unlock();
            });
            Threads.awaitBits(m::bits, 3, "the waiter to park");
            Threads.sleepMillis(50);
            m.unlock();
            afterUnlock = m.bits();
            require(acquired.await(WAIT), "the waiter did not get the mutex");
            release.set();
        }
        require(afterUnlock == 1, "right after unlock the byte was " + afterUnlock + ", not 1 (handed off)");
        require(m.bits() == 0, "byte left " + m.bits());
    }

    /** park(word, 7, 4, 5 s, "arg") is woken by an unpark whose callback receives "arg". */
    private static void parkAndUnpark() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment word = arena.allocate(ValueLayout.JAVA_INT);
            word.set(ValueLayout.JAVA_INT, 0, 7);
            AtomicReference<ParkStatus> status = new AtomicReference<>();
            AtomicBoolean sawArgument = new AtomicBoolean();
            try (Threads threads = new Threads()) {
                threads.start("parker", () -> status.set(ParkingLot.park(word, 7, 4, WAIT, "arg", false)));
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (!sawArgument.get() && System.nanoTime() < deadline) {
                    ParkingLot.unpark(word, (arg, more) -> {
                        if ("arg".equals(arg)) {
                            sawArgument.set(true);
                        }
                    });
                    Threads.sleepMillis(1);
                }
            }
            require(sawArgument.get(), "no unpark callback received the parker's argument");
            require(status.get() == ParkStatus.OK, "the park ended with " + status.get());
        }
    }

    /** A waiter parked on an event is woken by set(). */
    private static void event() {
        PyEvent event = new PyEvent();
        AtomicBoolean woken = new AtomicBoolean();
        try (Threads threads = new Threads()) {
            threads.start("event-waiter", () -> {
                event.await();
                woken.set(event.isSet());
            });
            Threads.awaitBits(event::bits, 2, "the waiter to park");
            event.set();
        }
        require(woken.get(), "the waiter was not woken");
        require(event.bits() == 1, "byte " + event.bits());
    }

    /** unparkAll wakes two threads parked on one word. */
    private static void unparkAll() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment word = arena.allocate(ValueLayout.JAVA_LONG);
            List<AtomicReference<ParkStatus>> statuses = List.of(new AtomicReference<>(), new AtomicReference<>());
            try (Threads threads = new Threads()) {
                List<Thread> parkers = new ArrayList<>();
                for (AtomicReference<ParkStatus> status : statuses) {
                    parkers.add(threads.start("parker", () -> status.set(ParkingLot.park(word, 0, 8, WAIT, null,
                            false))));
                }
                parkers.forEach(Threads::awaitParked);
                ParkingLot.unparkAll(word);
            }
            for (AtomicReference<ParkStatus> status : statuses) {
                require(status.get() == ParkStatus.OK, "a park ended with " + status.get());
            }
        }
    }

    /** Readers parked behind a write lock are all woken by its unlock (_PyParkingLot_UnparkAll). */
    private static void readersBehindWriter() {
        RWMutex rw = new RWMutex();
        AtomicInteger readers = new AtomicInteger();
        rw.lock();
        try (Threads threads = new Threads()) {
            for (int i = 0; i < 2; i++) {
                threads.start("reader", () -> {
                    rw.rlock();
                    readers.incrementAndGet();
                    rw.runlock();
                });
            }
            Threads.awaitBits(rw::bits, 0b11, "readers to park behind the writer");
            rw.unlock();
        }
        require(readers.get() == 2, readers.get() + " of 2 readers got the lock");
        require(rw.bits() == 0, "word left " + rw.bits());
    }

    /** A writer parked behind a reader is woken by its runlock. */
    private static void writerBehindReader() {
        RWMutex rw = new RWMutex();
        AtomicBoolean wrote = new AtomicBoolean();
        rw.rlock();
        try (Threads threads = new Threads()) {
            threads.start("writer", () -> {
                rw.lock();
                wrote.set(true);
                rw.unlock();
            });
            Threads.awaitBits(rw::bits, (1 << 2) | 0b10, "the writer to park behind the reader");
            rw.runlock();
        }
        require(wrote.get(), "the writer did not get the lock");
        require(rw.bits() == 0, "word left " + rw.bits());
    }

    /** A thread waiting for a raw mutex gets it after the unlock. */
    private static void rawMutex() {
        RawMutex raw = new RawMutex();
        AtomicBoolean acquired = new AtomicBoolean();
        raw.lock();
        try (Threads threads = new Threads()) {
            Thread waiter = threads.start("raw-waiter", () -> {
                raw.lock();
                acquired.set(true);
                raw.unlock();
            });
            Threads.awaitTrue(() -> raw.bits() != 1, "the waiter to queue in the raw mutex's word");
            raw.unlock();
            Threads.join(waiter);
        }
        require(acquired.get(), "the waiter did not get the raw mutex");
        require(raw.bits() == 0, "word left " + raw.bits());
    }

    /** A thread waiting for a recursive mutex gets it once the owner has released every level. */
    private static void recursiveMutex() {
        RecursiveMutex mutex = new RecursiveMutex();
        AtomicBoolean acquired = new AtomicBoolean();
        mutex.lock();
        mutex.lock();
        try (Threads threads = new Threads()) {
            threads.start("recursive-waiter", () -> {
                mutex.lock();
                acquired.set(mutex.isLockedByCurrentThread());
                mutex.unlock();
            });
            Threads.awaitBits(mutex.mutex()::bits, 3, "the waiter to park");
            mutex.unlock();
            require(mutex.mutex().bits() == 3, "the mutex was released at level 1");
            mutex.unlock();
        }
        require(acquired.get(), "the waiter did not own the mutex");
        require(mutex.mutex().bits() == 0, "byte left " + mutex.mutex().bits());
    }

    /** A caller parked while another thread runs the action is woken when it ends, and does not run it again. */
    private static void onceFlag() {
        OnceFlag flag = new OnceFlag();
        PyEvent running = new PyEvent();
        PyEvent finish = new PyEvent();
        AtomicInteger runs = new AtomicInteger();
        try (Threads threads = new Threads()) {
            threads.start("runner", () -> flag.callOnce(() -> {
                runs.incrementAndGet();
                running.set();
                finish.await(WAIT);
            }));
            require(running.await(WAIT), "the action did not start");
            Thread waiter = threads.start("once-waiter", () -> flag.callOnce(runs::incrementAndGet));
            Threads.awaitBits(flag::bits, 3, "the waiter to park while the action runs");
            finish.set();
            Threads.join(waiter);
        }
        require(runs.get() == 1, "the action ran " + runs.get() + " times");
        require(flag.isDone() && flag.bits() == 4, "flag " + flag.bits());
    }

    /** Writers make the sequence odd and even again; a read across a write is detected; an abandoned write restores. */
    private static void seqLock() {
        SeqLock lock = new SeqLock();
        int before = lock.beginRead();
        lock.lockWrite();
        require(lock.sequence() == 1, "sequence while writing " + lock.sequence());
        lock.unlockWrite();
        require(!lock.endRead(before), "a read across a write was accepted");
        int read = lock.beginRead();
        require(read == 2 && lock.endRead(read), "a quiet read was refused (" + read + ")");
        lock.lockWrite();
        lock.abandonWrite();
        require(lock.sequence() == 2, "abandoned write left " + lock.sequence());
        AtomicBoolean second = new AtomicBoolean();
        lock.lockWrite();
        try (Threads threads = new Threads()) {
            threads.start("second-writer", () -> {
                lock.lockWrite();
                second.set(true);
                lock.unlockWrite();
            });
            Threads.sleepMillis(20);
            require(!second.get(), "a second writer got in while the first wrote");
            lock.unlockWrite();
        }
        require(second.get() && lock.sequence() == 6, "sequence " + lock.sequence());
    }

    private static void require(boolean condition, String failure) {
        if (!condition) {
            throw new AssertionError(failure);
        }
    }
}
