package org.cpylock.internal;

import org.cpylock.CPython;
import org.cpylock.PyMutex;
import org.cpylock.testing.Backends;
import org.cpylock.testing.GuardedJvm;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Where the native library is extracted and how it is loaded: a second class
 * loader, unusable cache directories, a shared temporary directory that is
 * not the user's alone, a noexec mount, a library file named by hand, and the
 * debug switch. All but the first run {@link LoadProbe} in a JVM of its own.
 */
class LibraryFilesTest {
    private static final Path OUTPUT = Path.of("target", "loader");

    @Test
    void aSecondClassLoaderLoadsItsOwnCopy() throws Exception {
        Backends.assumeBundled("an interpreter is bound by one class loader");
        new PyMutex(); // this loader has loaded the library
        URL classes = PyMutex.class.getProtectionDomain().getCodeSource().getLocation();
        URL api = org.cpylock.api.PyMutex.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader other = new URLClassLoader(new URL[]{classes, api}, ClassLoader.getPlatformClassLoader())) {
            Class<?> mutexClass = other.loadClass("org.cpylock.PyMutex");
            assertTrue(mutexClass != PyMutex.class, "a class of the other loader");
            Object mutex = mutexClass.getConstructor().newInstance();
            Method bits = mutexClass.getMethod("bits");
            mutexClass.getMethod("lock").invoke(mutex);
            assertEquals(1, bits.invoke(mutex));
            mutexClass.getMethod("unlock").invoke(mutex);
            assertEquals(0, bits.invoke(mutex));
        }
    }

    @Test
    void aCacheDirectoryThatIsNotWritableFallsBackToTheNext() throws IOException {
        Path xdg = scratch("xdg");
        Files.createDirectories(xdg.resolve("cpylock"));
        // An existing directory that is not writable, even for root.
        Files.createSymbolicLink(xdg.resolve("cpylock").resolve("natives"), Path.of("/proc/self"));
        String text = probe("not-writable", List.of("-Dcpylock.debug=true"), Map.of("XDG_CACHE_HOME", xdg.toString()));
        assertTrue(text.contains("LOADED"), text);
        assertTrue(text.contains(xdg.resolve("cpylock/natives") + " refused: not writable"), text);
    }

    @Test
    void aSharedTemporaryDirectoryMustBeTheUsersAlone() throws IOException {
        Path tmp = scratch("tmp");
        Path own = tmp.resolve("cpylock-" + System.getProperty("user.name"));
        Files.createDirectories(own);
        Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rwxrwxrwx"));
        List<String> onlyTmp = List.of("-Dcpylock.debug=true", "-Duser.home=/proc/self", "-Djava.io.tmpdir=" + tmp);
        String open = probe("shared-open", onlyTmp, Map.of());
        assertTrue(open.contains("FAILED") && open.contains("writable by others"), open);

        Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rwx------"));
        assumeTrue("root".equals(System.getProperty("user.name")), "giving the directory to another user needs root");
        UserPrincipal nobody = own.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(own, nobody);
        String foreign = probe("shared-foreign", onlyTmp, Map.of());
        assertTrue(foreign.contains("FAILED") && foreign.contains("owned by nobody"), foreign);
    }

    @Test
    void aNoexecCacheDirectoryIsExplained() throws IOException, InterruptedException {
        Backends.assumeNotEmulated("qemu-user translates a library's code itself, so a noexec mount does not"
                + " stop it from loading");
        Path mount = scratch("noexec");
        Files.createDirectories(mount);
        Process mounting = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "noexec", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        assumeTrue(mounting.waitFor() == 0, "this machine lets the test mount a noexec tmpfs");
        try {
            String text = probe("noexec", List.of("-Dcpylock.cache.dir=" + mount), Map.of());
            assertTrue(text.contains("FAILED java.lang.UnsatisfiedLinkError") && text.contains("noexec")
                    && text.contains("-Dcpylock.cache.dir"), text);
        } finally {
            new ProcessBuilder("umount", mount.toString()).start().waitFor();
        }
    }

    /** With {@code -Dcpylock.test.jar}, the run's libraries are that jar's (not a build directory's). */
    @Test
    void theLibrariesComeFromTheJarTheRunNames() throws IOException {
        String jar = System.getProperty("cpylock.test.jar");
        assumeTrue(jar != null, "the run names no jar (-Dcpylock.test.jar): its classes are a build directory");
        for (String name : List.of("cpylock-", "cpylock-interpreter-")) {
            String resource = "/natives/" + Platform.current() + "/"
                    + System.mapLibraryName(name + CPython.flavour().id());
            URL url = CPython.class.getResource(resource);
            assertTrue(url != null && url.getProtocol().equals("jar"), resource + " is " + url);
            Path container = Path.of(URI.create(url.getPath().substring(0, url.getPath().indexOf("!/"))));
            assertEquals(Path.of(jar).toRealPath(), container.toRealPath(), resource + " is " + url);
        }
    }

    @Test
    void aLibraryFileNamedByHandIsLoadedInsteadOfTheJars() throws IOException {
        String flavour = CPython.flavour().id();
        Path library = Path.of(System.getProperty("cpylock.test.natives",
                "target/classes/natives/" + Platform.current())).resolve(System.mapLibraryName("cpylock-" + flavour))
                .toAbsolutePath();
        String text = probe("native-path", List.of("-Dcpylock.debug=true", "-Dcpylock.native.path=" + library,
                "-Dcpylock.cache.dir=/nonexistent/cache"), Map.of());
        assertTrue(text.contains("LOADED " + flavour), text);
        assertTrue(text.contains("loaded " + library), text);
    }

    private static String probe(String label, List<String> options, Map<String, String> environment) {
        String flavour = CPython.flavour().id();
        List<String> jvm = new ArrayList<>(options);
        GuardedJvm.Outcome outcome = GuardedJvm.run(new GuardedJvm.Launch(flavour, Duration.ofSeconds(60), OUTPUT,
                label + "-" + flavour, jvm, environment, LoadProbe.class.getName(), List.of()));
        return outcome.text();
    }

    private static Path scratch(String name) throws IOException {
        Path directory = OUTPUT.resolve(name + "-" + CPython.flavour().id()).toAbsolutePath();
        if (Files.exists(directory)) {
            try (var walk = Files.walk(directory)) {
                for (Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
        Files.createDirectories(directory.getParent());
        return directory;
    }
}
