package org.cpylock.tck;

import org.cpylock.api.Implementation;
import org.junit.jupiter.api.Nested;

import java.util.Optional;

/**
 * The whole conformance suite. To run it against an implementation, extend
 * this class (as a JUnit 5 test class) and return the implementation:
 *
 * <pre>{@code
 * class MyPortConformanceTest extends ConformanceSuite {
 *     @Override
 *     protected Implementation implementation() {
 *         return new MyPort();
 *     }
 * }
 * }</pre>
 *
 * Each primitive's contract runs as a nested test class; {@link #implementation()}
 * is called once per test.
 */
public abstract class ConformanceSuite {
    /** Constructor for the concrete test class that returns the implementation. */
    protected ConformanceSuite() {
    }

    /**
     * The implementation under test.
     *
     * @return the implementation whose primitives the nested contracts exercise
     */
    protected abstract Implementation implementation();

    /**
     * Another instance of the implementation under test, with thread states
     * and a parking lot of its own, if the implementation can make one: the
     * critical-section cases check that neither takes the other's mutexes.
     *
     * @return the other instance, or empty (the default)
     */
    protected Optional<Implementation> anotherImplementation() {
        return Optional.empty();
    }

    @Nested
    class MutexTests implements MutexContract {
        @Override
        public Implementation implementation() {
            return ConformanceSuite.this.implementation();
        }
    }

    @Nested
    class EventTests implements EventContract {
        @Override
        public Implementation implementation() {
            return ConformanceSuite.this.implementation();
        }
    }

    @Nested
    class CriticalSectionTests implements CriticalSectionContract {
        @Override
        public Implementation implementation() {
            return ConformanceSuite.this.implementation();
        }

        @Override
        public Optional<Implementation> anotherImplementation() {
            return ConformanceSuite.this.anotherImplementation();
        }
    }

    @Nested
    class RawMutexTests implements RawMutexContract {
        @Override
        public Implementation implementation() {
            return ConformanceSuite.this.implementation();
        }
    }

    @Nested
    class RWMutexTests implements RWMutexContract {
        @Override
        public Implementation implementation() {
            return ConformanceSuite.this.implementation();
        }
    }

    @Nested
    class RecursiveMutexTests implements RecursiveMutexContract {
        @Override
        public Implementation implementation() {
            return ConformanceSuite.this.implementation();
        }
    }

    @Nested
    class SeqLockTests implements SeqLockContract {
        @Override
        public Implementation implementation() {
            return ConformanceSuite.this.implementation();
        }
    }

    @Nested
    class OnceFlagTests implements OnceFlagContract {
        @Override
        public Implementation implementation() {
            return ConformanceSuite.this.implementation();
        }
    }

    @Nested
    class MemoryTests implements MemoryContract {
        @Override
        public Implementation implementation() {
            return ConformanceSuite.this.implementation();
        }
    }

    @Nested
    class ParkingLotTests implements ParkingLotContract {
        @Override
        public Implementation implementation() {
            return ConformanceSuite.this.implementation();
        }
    }
}
