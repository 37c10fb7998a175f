package org.cpylock.internal;

/**
 * Whether the facade makes CPython's fast-path steps in Java:
 * {@code -Dcpylock.javaPaths}, true unless it is {@code false}.
 *
 * <p>So that an uncontended operation costs no downcall, the facade makes
 * these steps of CPython 3.13.5 in Java, on the same state words, and calls
 * C for the rest:
 * <table>
 *   <caption>The facade's Java steps</caption>
 *   <tr><th>operation</th><th>the step</th><th>CPython</th></tr>
 *   <tr><td>{@code PyMutex} lock, {@code lockInterruptibly}</td>
 *       <td>compare-and-set 0 to {@code _Py_LOCKED}</td>
 *       <td>{@code _PyMutex_Lock}, {@code Include/cpython/lock.h}:44-51</td></tr>
 *   <tr><td>{@code PyMutex} unlock</td><td>compare-and-set {@code _Py_LOCKED} to 0</td>
 *       <td>{@code _PyMutex_Unlock}, {@code Include/cpython/lock.h}:55-62</td></tr>
 *   <tr><td>{@code PyMutex} tryLock</td><td>fail if locked, else one compare-and-set</td>
 *       <td>{@code _PyMutex_LockTimed}, {@code Python/lock.c}:55-63</td></tr>
 *   <tr><td>{@code _PyRawMutex} lock, unlock</td><td>compare-and-set 0 to 1, 1 to 0</td>
 *       <td>{@code _PyRawMutex_Lock}, {@code _PyRawMutex_Unlock},
 *       {@code Include/internal/pycore_lock.h}:111-129</td></tr>
 *   <tr><td>{@code _PyRWMutex} rlock, lock</td><td>the acquiring compare-and-set</td>
 *       <td>{@code _PyRWMutex_RLock}, {@code _PyRWMutex_Lock}, {@code Python/lock.c}:427-490</td></tr>
 *   <tr><td>{@code _PyRWMutex} runlock, unlock</td><td>all but the unpark</td>
 *       <td>{@code _PyRWMutex_RUnlock}, {@code _PyRWMutex_Unlock}, {@code Python/lock.c}:458-503</td></tr>
 *   <tr><td>{@code _PyRecursiveMutex} lock, unlock</td><td>owner and level (bundled library only)</td>
 *       <td>{@code _PyRecursiveMutex_Lock}, {@code _PyRecursiveMutex_Unlock}, {@code Python/lock.c}:369-397</td></tr>
 *   <tr><td>{@code _PySeqLock} endRead</td><td>the sequence unchanged: success</td>
 *       <td>{@code _PySeqLock_EndRead}, {@code Python/lock.c}:553-566</td></tr>
 *   <tr><td>{@code _PyOnceFlag} callOnce</td><td>the initialized check</td>
 *       <td>{@code _PyOnceFlag_CallOnce}, {@code Include/internal/pycore_lock.h}:145-152</td></tr>
 * </table>
 *
 * <p>With {@code -Dcpylock.javaPaths=false}, each of these operations is one
 * call of the C function instead ({@code RWMutex}'s try forms, which have no
 * C function, make their step in Java in both modes). The build runs the conformance suite and
 * the differential oracle in both modes, so the Java steps are shown equal
 * to C rather than assumed. Waits that run in Java because C must not block
 * the thread ({@link LockC}: virtual threads, interruptible waits when bound)
 * are the same in both modes. In this mode the wait registry counts every
 * operation that calls C as a contended one.
 */
public final class JavaPaths {
    /** Whether the steps above run in Java. */
    public static final boolean ON = !"false".equals(System.getProperty("cpylock.javaPaths"));

    private JavaPaths() {
    }
}
