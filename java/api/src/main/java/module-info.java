/**
 * The API of CPython's lock primitives ({@code Python/lock.c},
 * {@code Python/parking_lot.c}, {@code Python/critical_section.c}): one
 * interface per primitive, the factory of an {@link org.cpylock.api.Implementation},
 * and the one copy of the flag, status and flavour types. It has no
 * dependencies. cpylock's facade ({@code org.cpylock}) and the pure-Java port
 * ({@code org.cpylock.port}) implement it; the conformance suite
 * ({@code org.cpylock.tck}) and the oracle are written against it.
 */
module org.cpylock.api {
    exports org.cpylock.api;
}
