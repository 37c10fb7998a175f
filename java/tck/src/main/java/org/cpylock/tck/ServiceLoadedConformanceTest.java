package org.cpylock.tck;

import org.cpylock.api.Implementation;

import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * The whole suite against an {@link Implementation} registered as a
 * {@link ServiceLoader} service, so that a port can be checked without writing
 * a test class: put its jar (with a
 * {@code META-INF/services/org.cpylock.api.Implementation} entry) and this
 * jar on the class path of the JUnit Platform console launcher and select this
 * class.
 *
 * <p>With one implementation on the class path, that one runs. With several,
 * the system property {@value #SELECTION_PROPERTY} names the one to run (its
 * {@link Implementation#name()}).
 *
 * <p>Each test takes a new instance from the service loader, and a second one
 * for {@link #anotherImplementation()}: instances the loader makes separately
 * are taken for separate runtimes, whose mutexes each must refuse from the
 * other (unless the provider hands out one instance, which is then the only one).
 */
public class ServiceLoadedConformanceTest extends ConformanceSuite {
    /** The system property that names the implementation to run when several are registered. */
    public static final String SELECTION_PROPERTY = "cpylock.tck.implementation";

    /** Constructor for JUnit. */
    public ServiceLoadedConformanceTest() {
    }

    /**
     * A new instance of the registered implementation (of the selected one, if several are).
     *
     * @return the implementation under test
     * @throws IllegalStateException if none is registered, or several and none is selected, or the
     *                               selected one is not registered
     */
    @Override
    protected Implementation implementation() {
        return load();
    }

    /**
     * A second instance of the registered implementation, made by the service
     * loader apart from the first.
     *
     * @return that instance, or empty if the loader hands out the same one
     */
    @Override
    protected Optional<Implementation> anotherImplementation() {
        Implementation another = load();
        return another == load() ? Optional.empty() : Optional.of(another);
    }

    private static Implementation load() {
        List<Implementation> found = ServiceLoader.load(Implementation.class).stream()
                .map(ServiceLoader.Provider::get).toList();
        String names = found.stream().map(Implementation::name).collect(Collectors.joining(", "));
        String selected = System.getProperty(SELECTION_PROPERTY);
        if (selected != null) {
            return found.stream().filter(i -> i.name().equals(selected)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no implementation named " + selected
                            + " is registered; found: [" + names + "]"));
        }
        if (found.size() != 1) {
            throw new IllegalStateException(found.isEmpty()
                    ? "no org.cpylock.api.Implementation service on the class path"
                    : "several implementations are registered ([" + names + "]): choose one with -D"
                            + SELECTION_PROPERTY + "=NAME");
        }
        return found.getFirst();
    }
}
