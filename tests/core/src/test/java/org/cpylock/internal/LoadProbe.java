package org.cpylock.internal;

import org.cpylock.CPython;
import org.cpylock.PyMutex;

/**
 * Loads cpylock as configured and uses a mutex, in a JVM of its own
 * ({@link LibraryFilesTest}): prints {@code LOADED <flavour>} and exits 0, or
 * {@code FAILED <exception>: <message>} and exits 1.
 */
public final class LoadProbe {
    private LoadProbe() {
    }

    public static void main(String[] args) {
        try {
            PyMutex mutex = new PyMutex();
            mutex.lock();
            mutex.unlock();
            System.out.println("LOADED " + CPython.flavour().id());
            System.exit(0);
        } catch (RuntimeException | Error e) {
            System.out.println("FAILED " + e.getClass().getName() + ": " + e.getMessage());
            System.exit(1);
        }
    }
}
