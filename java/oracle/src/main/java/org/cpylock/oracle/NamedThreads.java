package org.cpylock.oracle;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The threads of this process whose names start with a prefix, and whether
 * they all sleep in the kernel ({@link KernelThreads#sleeping(int)}).
 *
 * <p>Implementation notes. Reading every thread's {@code stat} costs about
 * a millisecond in a test JVM, which is longer than the moves it must time.
 * So a thread's name is read until it is known: a name with the prefix
 * is kept at once; any other name only once the thread has been seen for
 * {@value #SETTLED_MILLIS} ms, because a new thread has its creator's name
 * until it names itself. A check then lists the threads and reads the
 * {@code stat} of the named ones and of the new ones only. A thread that has
 * ended is forgotten at the next check.
 */
final class NamedThreads {
    private static final long SETTLED_MILLIS = 50;
    private static final Path TASKS = Path.of("/proc/self/task");

    private final String prefix;
    private final Set<Integer> named = new HashSet<>();
    private final Set<Integer> others = new HashSet<>();
    /** Threads seen with another name, not yet known: when first seen. */
    private final Map<Integer, Long> unsettled = new HashMap<>();

    /**
     * The threads named {@code prefix}....
     *
     * @param prefix the start of the names, at most 15 characters (what the kernel keeps)
     */
    NamedThreads(String prefix) {
        this.prefix = prefix;
    }

    /**
     * Whether every thread with the prefix sleeps in the kernel; true if there is none.
     *
     * @return false if one of them runs or is runnable
     */
    synchronized boolean allSleeping() {
        long now = System.nanoTime();
        Set<Integer> alive = new HashSet<>();
        boolean sleeping = true;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path task : tasks) {
                int id = Integer.parseInt(task.getFileName().toString());
                alive.add(id);
                if (others.contains(id) || !sleeping) {
                    continue;
                }
                String stat = KernelThreads.stat(id);
                if (stat == null) {
                    continue;
                }
                if (named.contains(id) || KernelThreads.name(stat).startsWith(prefix)) {
                    named.add(id);
                    unsettled.remove(id);
                    sleeping = KernelThreads.sleeping(stat);
                } else if (now - unsettled.computeIfAbsent(id, k -> now)
                        >= TimeUnit.MILLISECONDS.toNanos(SETTLED_MILLIS)) {
                    others.add(id);
                    unsettled.remove(id);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + TASKS, e);
        }
        named.retainAll(alive);
        others.retainAll(alive);
        unsettled.keySet().retainAll(alive);
        return sleeping;
    }
}
