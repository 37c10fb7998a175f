/**
 * A pure-Java reference port of CPython 3.13.5's lock primitives
 * ({@code Python/lock.c}, {@code Python/parking_lot.c},
 * {@code Python/critical_section.c} and the detach/attach steps of
 * {@code Python/pystate.c}), with no dependencies.
 *
 * <p>{@code org.cpylock.port.tck} binds it to the conformance suite
 * ({@code org.cpylock.tck}, needed only when that package is used) and
 * registers both flavours as services of the suite's {@code Implementation}.
 */
module org.cpylock.port {
    requires static org.cpylock.tck;

    exports org.cpylock.port;
    exports org.cpylock.port.tck;

    provides org.cpylock.tck.Implementation
            with org.cpylock.port.tck.PortImplementation.FreeThreaded,
                 org.cpylock.port.tck.PortImplementation.Default;
}
