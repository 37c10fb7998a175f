/**
 * The differential oracle: a port of CPython's lock primitives against the C
 * code (cpylock), state word by state word. {@link org.cpylock.oracle.Oracle}
 * is the plain API; {@link org.cpylock.oracle.OracleProperties} the base class
 * of a jqwik test.
 */
module org.cpylock.oracle {
    requires org.cpylock;
    requires transitive org.cpylock.tck;
    requires transitive net.jqwik.api;

    exports org.cpylock.oracle;
    opens org.cpylock.oracle;
}
