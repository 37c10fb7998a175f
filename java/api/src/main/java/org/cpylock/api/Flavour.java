package org.cpylock.api;

import java.util.Arrays;
import java.util.Locale;

/** The two builds of CPython whose lock semantics an implementation follows. */
public enum Flavour {
    /**
     * CPython's default (GIL) build: {@code PyMutex} never spins before parking
     * ({@code MAX_SPIN_COUNT} 0 in {@code Python/lock.c}) and critical sections
     * are no-ops.
     */
    DEFAULT("default"),

    /**
     * CPython's free-threaded build ({@code Py_GIL_DISABLED}): a contended
     * {@code PyMutex} yields up to 40 times before parking, critical sections
     * lock their mutexes, and a thread that detaches suspends its critical
     * sections.
     */
    FREE_THREADED("free-threaded");

    private final String id;

    Flavour(String id) {
        this.id = id;
    }

    /**
     * The flavour's name, as system properties and file names spell it.
     *
     * @return {@code "default"} or {@code "free-threaded"}
     */
    public String id() {
        return id;
    }

    /**
     * The flavour named {@code id}.
     *
     * @param id a flavour's {@link #id()}; case and surrounding whitespace are ignored
     * @return the flavour whose {@link #id()} that is
     * @throws IllegalArgumentException if no flavour has that name
     */
    public static Flavour fromId(String id) {
        String wanted = id.trim().toLowerCase(Locale.ROOT);
        for (Flavour flavour : values()) {
            if (flavour.id.equals(wanted)) {
                return flavour;
            }
        }
        throw new IllegalArgumentException("unknown cpylock flavour '" + id + "': expected one of "
                + Arrays.stream(values()).map(Flavour::id).toList());
    }
}
