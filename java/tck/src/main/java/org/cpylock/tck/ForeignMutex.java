package org.cpylock.tck;

import org.cpylock.api.PyMutex;

import java.lang.reflect.Proxy;

/** A {@link PyMutex} that no implementation under test made: every method but {@code Object}'s throws. */
final class ForeignMutex {
    private ForeignMutex() {
    }

    static PyMutex make() {
        return (PyMutex) Proxy.newProxyInstance(PyMutex.class.getClassLoader(), new Class<?>[] {PyMutex.class},
                (proxy, method, arguments) -> switch (method.getName()) {
                    case "toString" -> "a PyMutex that no implementation under test made";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == arguments[0];
                    default -> throw new UnsupportedOperationException(
                            method.getName() + " of a PyMutex that no implementation under test made");
                });
    }
}
