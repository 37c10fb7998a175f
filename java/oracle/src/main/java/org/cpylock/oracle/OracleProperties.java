package org.cpylock.oracle;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.cpylock.CPython;
import org.cpylock.api.Flavour;
import org.cpylock.api.Implementation;

/**
 * The oracle as jqwik properties, one per primitive: extend this class,
 * return the port, and jqwik runs random sequential programs against the port
 * and CPython's C code. A divergence fails the property with the oracle's
 * report, after jqwik has shrunk the program to a minimal one (jqwik prints
 * the seed that replays the run). One example per primitive runs its
 * concurrent {@link Schedules}.
 *
 * <p>The reference is cpylock in the flavour this JVM loads
 * ({@code -Dcpylock.flavour}); the port is asked for the same flavour.
 */
public abstract class OracleProperties {
    /** Constructor for the concrete test class. */
    protected OracleProperties() {
    }

    /**
     * The port under test, following the given build of CPython.
     *
     * @param flavour the build to follow: the reference's
     * @return a new instance of the port's implementation
     */
    protected abstract Implementation port(Flavour flavour);

    /**
     * The reference: cpylock's facade over CPython's C code.
     *
     * @return the reference implementation
     */
    protected Implementation reference() {
        return CPython.implementation();
    }

    @Property(tries = 150)
    void mutexPrograms(@ForAll("mutex") Program program) {
        check(program);
    }

    @Property(tries = 100)
    void rawMutexPrograms(@ForAll("rawMutex") Program program) {
        check(program);
    }

    @Property(tries = 100)
    void recursiveMutexPrograms(@ForAll("recursiveMutex") Program program) {
        check(program);
    }

    @Property(tries = 150)
    void rwMutexPrograms(@ForAll("rwMutex") Program program) {
        check(program);
    }

    @Property(tries = 150)
    void seqLockPrograms(@ForAll("seqLock") Program program) {
        check(program);
    }

    @Property(tries = 100)
    void onceFlagPrograms(@ForAll("onceFlag") Program program) {
        check(program);
    }

    @Property(tries = 100)
    void eventPrograms(@ForAll("event") Program program) {
        check(program);
    }

    @Property(tries = 150)
    void parkingLotPrograms(@ForAll("parkingLot") Program program) {
        check(program);
    }

    @Property(tries = 200)
    void criticalSectionPrograms(@ForAll("criticalSections") Program program) {
        check(program);
    }

    @Example
    void mutexSchedules() {
        check(Primitive.MUTEX);
    }

    @Example
    void rwMutexSchedules() {
        check(Primitive.RW_MUTEX);
    }

    @Example
    void onceFlagSchedules() {
        check(Primitive.ONCE_FLAG);
    }

    @Example
    void eventSchedules() {
        check(Primitive.EVENT);
    }

    @Example
    void parkingLotSchedules() {
        check(Primitive.PARKING_LOT);
    }

    @Example
    void criticalSectionSchedules() {
        check(Primitive.CRITICAL_SECTIONS);
    }

    @Provide
    Arbitrary<Program> mutex() {
        return Programs.arbitrary(Primitive.MUTEX);
    }

    @Provide
    Arbitrary<Program> rawMutex() {
        return Programs.arbitrary(Primitive.RAW_MUTEX);
    }

    @Provide
    Arbitrary<Program> recursiveMutex() {
        return Programs.arbitrary(Primitive.RECURSIVE_MUTEX);
    }

    @Provide
    Arbitrary<Program> rwMutex() {
        return Programs.arbitrary(Primitive.RW_MUTEX);
    }

    @Provide
    Arbitrary<Program> seqLock() {
        return Programs.arbitrary(Primitive.SEQ_LOCK);
    }

    @Provide
    Arbitrary<Program> onceFlag() {
        return Programs.arbitrary(Primitive.ONCE_FLAG);
    }

    @Provide
    Arbitrary<Program> event() {
        return Programs.arbitrary(Primitive.EVENT);
    }

    @Provide
    Arbitrary<Program> parkingLot() {
        return Programs.arbitrary(Primitive.PARKING_LOT);
    }

    @Provide
    Arbitrary<Program> criticalSections() {
        return Programs.arbitrary(Primitive.CRITICAL_SECTIONS);
    }

    private void check(Program program) {
        oracle().compare(program).ifPresent(OracleProperties::fail);
    }

    /** Every schedule of the primitive, each on fresh threads and primitives. */
    private void check(Primitive primitive) {
        Oracle oracle = oracle();
        for (Schedule schedule : Schedules.of(primitive)) {
            oracle.compare(schedule).ifPresent(OracleProperties::fail);
        }
    }

    private static void fail(Divergence divergence) {
        throw new AssertionError(divergence.toString());
    }

    private Oracle oracle() {
        Implementation reference = reference();
        return new Oracle(reference, port(reference.flavour()));
    }
}
