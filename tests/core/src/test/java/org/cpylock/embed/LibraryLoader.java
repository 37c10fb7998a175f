package org.cpylock.embed;

/** Loads a native library in the class loader that defined this class ({@link IsolationScenarios}). */
public final class LibraryLoader {
    private LibraryLoader() {
    }

    public static void load(String path) {
        System.load(path);
    }
}
