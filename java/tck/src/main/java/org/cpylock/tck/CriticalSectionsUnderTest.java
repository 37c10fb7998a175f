package org.cpylock.tck;

/** CPython's critical sections, for the calling thread, as the conformance suite drives them. */
public interface CriticalSectionsUnderTest {
    /** A critical section; equal to itself as returned by {@link #top()}. */
    interface Section extends AutoCloseable {
        /** {@code _PyCriticalSection_End} / {@code _PyCriticalSection2_End}. */
        void end();

        @Override
        default void close() {
            end();
        }
    }

    /**
     * {@code _PyCriticalSection_BeginMutex} on a mutex made by the same implementation.
     *
     * @param mutex the mutex the section holds while active (free-threaded build)
     * @return the section, now the innermost (free-threaded build); sections end innermost first
     */
    Section begin(MutexUnderTest mutex);

    /**
     * {@code _PyCriticalSection2_BeginMutex} on two mutexes made by the same implementation.
     *
     * @param first  one mutex the section holds while active (free-threaded build)
     * @param second the other mutex; may be {@code first} itself, which is then locked once
     * @return the section, now the innermost (free-threaded build); sections end innermost first
     */
    Section begin(MutexUnderTest first, MutexUnderTest second);

    /**
     * The innermost section {@code PyThreadState.critical_section} points at, or null.
     *
     * @return the calling thread's innermost section; null if it has none, and always in the default build
     */
    Section top();
}
