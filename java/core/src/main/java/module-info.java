/**
 * cpylock: CPython's own lock primitives ({@code Python/lock.c},
 * {@code Python/parking_lot.c}, {@code Python/critical_section.c}) for the
 * JVM, through the Foreign Function and Memory API. The facade is
 * {@link org.cpylock}, whose classes implement the API ({@code org.cpylock.api});
 * its internals and the generated bindings stay inside the module.
 *
 * <p>The module calls native code: run it with
 * {@code --enable-native-access=org.cpylock} on the module path
 * ({@code --enable-native-access=ALL-UNNAMED} on the class path). Waits are
 * reported to JFR ({@code org.cpylock.*} events) and JMX
 * ({@code org.cpylock:type=Waits}).
 */
module org.cpylock {
    requires transitive org.cpylock.api;
    requires java.management;
    requires jdk.jfr;

    exports org.cpylock;
    // the MBean's interface and item type, for the platform MBean server
    exports org.cpylock.internal.waits to java.management;
}
