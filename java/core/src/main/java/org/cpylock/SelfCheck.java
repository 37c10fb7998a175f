package org.cpylock;

import java.lang.reflect.InvocationTargetException;

/**
 * The jar's main class ({@code java -jar cpylock.jar}): a short self-check
 * that the native library loads and behaves as CPython does, with the state
 * byte after each step. It is compiled for Java 8, unlike the rest of the
 * jar, so that a JDK older than 23 says what it lacks instead of failing with
 * {@link UnsupportedClassVersionError}; so does a class path without the
 * API's jar.
 */
public final class SelfCheck {
    private static final int REQUIRED_FEATURE = 23;

    private SelfCheck() {
    }

    /**
     * Runs the self-check, or, on a JDK older than 23 or without the API's jar, prints what is needed and
     * exits with status 1.
     *
     * @param args not used
     * @throws Throwable what the self-check threw
     */
    public static void main(String[] args) throws Throwable {
        String version = System.getProperty("java.specification.version", "0");
        int feature = Integer.parseInt(version.startsWith("1.") ? version.substring(2) : version);
        if (feature < REQUIRED_FEATURE) {
            System.err.println("cpylock needs JDK " + REQUIRED_FEATURE + " or newer (it calls CPython's C code"
                    + " through the Foreign Function and Memory API); this is Java "
                    + System.getProperty("java.version") + " at " + System.getProperty("java.home"));
            System.exit(1);
        }
        try {
            Class.forName("org.cpylock.api.Implementation");
        } catch (ClassNotFoundException e) {
            System.err.println("cpylock needs its API's jar, cpylock-api, on the class or module path; with"
                    + " java -jar, beside this jar under the name its manifest's Class-Path gives");
            System.exit(1);
        }
        try {
            Class.forName("org.cpylock.internal.SelfCheckDemo").getMethod("main", String[].class)
                    .invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
