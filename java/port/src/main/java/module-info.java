/**
 * A pure-Java reference port of CPython 3.13.5's lock primitives
 * ({@code Python/lock.c}, {@code Python/parking_lot.c},
 * {@code Python/critical_section.c} and the detach/attach steps of
 * {@code Python/pystate.c}), implementing the API ({@code org.cpylock.api})
 * with no other dependency.
 *
 * <p>{@link org.cpylock.port.Port} is the API's
 * {@link org.cpylock.api.Implementation}; both flavours are registered as its
 * services, so that the conformance suite's service-loaded run finds them.
 */
module org.cpylock.port {
    requires transitive org.cpylock.api;

    exports org.cpylock.port;

    provides org.cpylock.api.Implementation
            with org.cpylock.port.Port.FreeThreaded,
                 org.cpylock.port.Port.Default;
}
