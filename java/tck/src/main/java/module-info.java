/**
 * The conformance suite for implementations of CPython's lock primitives:
 * {@link org.cpylock.tck.ConformanceSuite}, run by JUnit 5, against an
 * {@link org.cpylock.api.Implementation}.
 */
module org.cpylock.tck {
    requires transitive org.cpylock.api;
    requires transitive org.junit.jupiter.api;

    exports org.cpylock.tck;
    opens org.cpylock.tck to org.junit.platform.commons;

    uses org.cpylock.api.Implementation;
}
