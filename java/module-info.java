/**
 * cpylock: CPython's own lock primitives ({@code Python/lock.c},
 * {@code Python/parking_lot.c}, {@code Python/critical_section.c}) for the
 * JVM, through the Foreign Function and Memory API. The facade is
 * {@link org.cpylock}; its internals and the generated bindings stay inside
 * the module.
 *
 * <p>The module calls native code: run it with
 * {@code --enable-native-access=org.cpylock} on the module path
 * ({@code --enable-native-access=ALL-UNNAMED} on the class path).
 */
module org.cpylock {
    exports org.cpylock;
}
