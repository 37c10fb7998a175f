package org.cpylock;

import org.cpylock.api.Flavour;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loading: the flavour named by {@code cpylock.flavour}, CPython's version, one flavour per JVM. */
class LoaderTest {
    /** The flavour the run asked for; bound to an interpreter without asking, the interpreter's (InterpreterTest checks it). */
    private static Flavour requested() {
        String property = System.getProperty("cpylock.flavour");
        if (property != null) {
            return Flavour.fromId(property);
        }
        return CPython.interpreter().isPresent() ? CPython.flavour() : Flavour.FREE_THREADED;
    }

    @Test
    void flavourIsTheOneTheSystemPropertyNames() {
        assertEquals(requested(), CPython.flavour());
    }

    @Test
    void versionIsThePinnedRelease() {
        assertEquals("3.13.5", CPython.version());
    }

    @Test
    void requiringTheLoadedFlavourSucceeds() {
        CPython.requireFlavour(CPython.flavour());
    }

    @Test
    void requiringTheOtherFlavourFailsClearly() {
        Flavour other = CPython.flavour() == Flavour.DEFAULT ? Flavour.FREE_THREADED : Flavour.DEFAULT;
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CPython.requireFlavour(other));
        assertTrue(e.getMessage().contains(other.id()), e.getMessage());
        assertTrue(e.getMessage().contains(CPython.flavour().id()), e.getMessage());
        // The loaded flavour stays in use.
        assertEquals(requested(), CPython.flavour());
        PyMutex m = new PyMutex();
        m.lock();
        m.unlock();
    }

    @Test
    void unknownFlavourNamesAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Flavour.fromId("gil"));
        assertTrue(e.getMessage().contains("free-threaded"), e.getMessage());
    }
}
