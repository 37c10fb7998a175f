package org.cpylock.tck;

import org.cpylock.api.Implementation;
import org.junit.jupiter.api.Nested;

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
    class ParkingLotTests implements ParkingLotContract {
        @Override
        public Implementation implementation() {
            return ConformanceSuite.this.implementation();
        }
    }
}
