package org.cpylock.oracle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the kernel says of a thread, from Linux's {@code /proc}: its id, and
 * whether it sleeps. A thread that waits in a park (a futex or a semaphore,
 * in C or in {@code LockSupport}) sleeps; one that runs, spins or yields
 * does not. This is how the schedule driver sees that a thread of either
 * side has parked, whether the wait is in Java or in native code.
 */
final class KernelThreads {
    private static final Path SELF = Path.of("/proc/thread-self/stat");

    private KernelThreads() {
    }

    /**
     * Whether this system has the files read here.
     *
     * @return true on Linux
     */
    static boolean available() {
        return Files.isReadable(SELF);
    }

    /**
     * The kernel's id of the calling thread.
     *
     * @return the id
     */
    static int currentId() {
        String stat = read(SELF);
        return Integer.parseInt(stat.substring(0, stat.indexOf(' ')));
    }

    /**
     * Whether a thread of this process sleeps in the kernel (state S or D).
     *
     * @param id the kernel's id of the thread
     * @return true if it sleeps; false if it runs, is runnable, or has ended
     */
    static boolean sleeping(int id) {
        String stat = stat(id);
        return stat != null && sleeping(stat);
    }

    /**
     * The {@code stat} line of a thread of this process.
     *
     * @param id the kernel's id of the thread
     * @return the line, or null if the thread has ended
     */
    static String stat(int id) {
        try {
            return Files.readString(Path.of("/proc/self/task/" + id + "/stat"));
        } catch (IOException ended) {
            return null;
        }
    }

    /** Whether a {@link #stat(int)} line says the thread sleeps (state S or D). */
    static boolean sleeping(String stat) {
        // "id (name) state ...": the name may hold spaces and parentheses.
        char state = stat.charAt(stat.lastIndexOf(')') + 2);
        return state == 'S' || state == 'D';
    }

    /** The thread's name in a {@link #stat(int)} line (the kernel keeps 15 characters of it). */
    static String name(String stat) {
        return stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + path, e);
        }
    }
}
