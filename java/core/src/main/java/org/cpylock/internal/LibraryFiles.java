package org.cpylock.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The native library files: where the jar's packed libraries are extracted
 * to, and how a library file is loaded into this class loader.
 *
 * <p>A packed library ({@code natives/<os>-<arch>/<name>}) is copied, once
 * per content hash, into a directory of its own under the first usable of:
 * {@code -Dcpylock.cache.dir} (the only candidate when set);
 * {@code $XDG_CACHE_HOME/cpylock/natives}; {@code ~/.cache/cpylock/natives};
 * {@code <java.io.tmpdir>/cpylock-<user>}, which must belong to the user and
 * be writable by nobody else. A candidate is usable if it is a writable
 * directory, or can be created. Builds are reproducible, so a release fills
 * one hash directory, whichever checkout built it; to clean up, delete the
 * {@code natives} directory.
 *
 * <p>{@code -Dcpylock.native.path=FILE} names a library file to load instead
 * (one built for a platform the jar lacks); {@code -Dcpylock.debug=true}
 * prints each step to standard error.
 */
final class LibraryFiles {
    /** System property naming the directory natives are extracted into. */
    static final String CACHE_PROPERTY = "cpylock.cache.dir";
    /** System property naming a native library file to load instead of the packed one. */
    static final String NATIVE_PATH_PROPERTY = "cpylock.native.path";
    /** System property that makes loading print its steps. */
    static final String DEBUG_PROPERTY = "cpylock.debug";

    private LibraryFiles() {
    }

    /** Prints a loading step to standard error when {@code cpylock.debug} is true. */
    static void debug(String step) {
        if (Boolean.getBoolean(DEBUG_PROPERTY)) {
            System.err.println("cpylock: " + step);
        }
    }

    /**
     * The library file to load for {@code library} (a name without prefix
     * or suffix, such as {@code cpylock-free-threaded}): extracted from the
     * jar into the cache.
     *
     * @throws UnsupportedOperationException if the jar has none for this platform
     * @throws UncheckedIOException          if no cache directory can take it
     */
    static Path extract(String library) {
        String platform = Platform.current();
        String resource = resourceName(platform, library);
        byte[] bytes = read(resource, platform);
        String hash = sha256(bytes);
        debug("packed " + resource + ", " + bytes.length + " bytes, SHA-256 " + hash);
        Path directory = cacheRoot().resolve(hash.substring(0, 24));
        Path target = directory.resolve(resource.substring(resource.lastIndexOf('/') + 1));
        try {
            if (Files.isRegularFile(target) && sha256(Files.readAllBytes(target)).equals(hash)) {
                debug("extracted already: " + target);
                return target;
            }
            createPrivateDirectories(directory);
            Path temporary = Files.createTempFile(directory, "extract", ".tmp");
            try {
                Files.write(temporary, bytes);
                try {
                    Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temporary);
            }
            debug("extracted to " + target);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + resource + " into " + directory
                    + " (set -D" + CACHE_PROPERTY + "=<writable directory>)", e);
        }
    }

    /**
     * {@link System#load} of {@code file} by this class loader. A library
     * file another class loader of this JVM has loaded cannot be loaded
     * again; this loader then gets a copy of its own (so, for cpylock's
     * libraries, a parking lot of its own).
     *
     * @return the file loaded, as the dynamic linker names it (the canonical
     *         path of {@code file} or of its copy)
     * @throws UnsatisfiedLinkError with what went wrong, and what to do, in words
     */
    static Path load(Path file) {
        return load(file, true);
    }

    /**
     * As {@link #load(Path)}, but a file another class loader of this JVM has
     * loaded is refused instead of copied.
     *
     * @throws IllegalStateException if another class loader has loaded {@code file}
     */
    static Path loadUnshared(Path file) {
        return load(file, false);
    }

    private static Path load(Path file, boolean copyForAnotherLoader) {
        debug("loading " + file);
        Path canonical = canonical(file);
        try {
            System.load(file.toString());
        } catch (UnsatisfiedLinkError e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("already loaded in another classloader")) {
                if (!copyForAnotherLoader) {
                    throw new IllegalStateException(file + " is loaded by another class loader of this JVM", e);
                }
                return loadCopy(file);
            }
            if (message.contains("failed to map segment")) {
                throw explained(e, file + " cannot be mapped to run: its directory is probably on a file system"
                        + " mounted noexec; choose another with -D" + CACHE_PROPERTY + "=<directory>");
            }
            throw e;
        }
        debug("loaded " + file);
        return canonical;
    }

    /** The path {@link System#load} gives the dynamic linker for {@code file}: its canonical path. */
    private static Path canonical(Path file) {
        try {
            return Path.of(file.toFile().getCanonicalPath());
        } catch (IOException e) {
            return file.toAbsolutePath().normalize();
        }
    }

    private static Path loadCopy(Path file) {
        try {
            Path copy = Files.createTempFile(file.getParent(), "loader-", "-" + file.getFileName());
            try {
                Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
                debug(file + " is loaded by another class loader; loading a copy, " + copy);
                return load(copy);
            } finally {
                // The mapping stays when the file goes.
                Files.deleteIfExists(copy);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + file + " for a second class loader", e);
        }
    }

    private static UnsatisfiedLinkError explained(UnsatisfiedLinkError cause, String message) {
        UnsatisfiedLinkError error = new UnsatisfiedLinkError(message);
        error.initCause(cause);
        return error;
    }

    /** The resource path of a library for a platform. */
    static String resourceName(String platform, String library) {
        return "/natives/" + platform + "/" + System.mapLibraryName(library);
    }

    /**
     * The packed library {@code resource}, for {@code platform}.
     *
     * @throws UnsupportedOperationException if the jar has none
     */
    static byte[] read(String resource, String platform) {
        try (InputStream in = LibraryFiles.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new UnsupportedOperationException("cpylock has no native library for platform " + platform
                        + " (looked for " + resource + " on the class path); build cpylock on that platform"
                        + " and add its natives to the jar, or name a library file with -D" + NATIVE_PATH_PROPERTY);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    /** The first usable cache directory (see the class comment). */
    private static Path cacheRoot() {
        String configured = System.getProperty(CACHE_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            debug("cache directory, from -D" + CACHE_PROPERTY + ": " + configured);
            return Path.of(configured);
        }
        List<String> refused = new ArrayList<>();
        for (Candidate candidate : candidates()) {
            String why = candidate.unusable();
            if (why == null) {
                debug("cache directory: " + candidate.directory());
                return candidate.directory();
            }
            debug("cache directory " + candidate.directory() + " refused: " + why);
            refused.add(candidate.directory() + " (" + why + ")");
        }
        throw new UncheckedIOException(new IOException("no directory can take cpylock's native libraries: "
                + String.join("; ", refused) + ". Set -D" + CACHE_PROPERTY + "=<writable directory>"));
    }

    private static List<Candidate> candidates() {
        List<Candidate> candidates = new ArrayList<>();
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            candidates.add(new Candidate(Path.of(xdg, "cpylock", "natives"), false));
        }
        String home = System.getProperty("user.home");
        if (home != null && !home.isBlank()) {
            candidates.add(new Candidate(Path.of(home, ".cache", "cpylock", "natives"), false));
        }
        candidates.add(new Candidate(Path.of(System.getProperty("java.io.tmpdir"),
                "cpylock-" + System.getProperty("user.name", "user")), true));
        return candidates;
    }

    /** A cache directory to try; a {@code shared} one lives in a directory other users write to. */
    private record Candidate(Path directory, boolean shared) {
        /** Why the directory cannot take the libraries, or null if it can. */
        String unusable() {
            Path existing = directory.toAbsolutePath();
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            if (existing == null || !Files.isDirectory(existing)) {
                return "not a directory";
            }
            if (!Files.isWritable(existing)) {
                return existing.equals(directory.toAbsolutePath()) ? "not writable" : existing + " is not writable";
            }
            return shared && Files.isDirectory(directory) ? notPrivate() : null;
        }

        /** Why the user's directory in a shared one is not the user's alone, or null. */
        private String notPrivate() {
            try {
                String owner = Files.getOwner(directory, LinkOption.NOFOLLOW_LINKS).getName();
                if (!owner.equals(System.getProperty("user.name"))) {
                    return "owned by " + owner;
                }
                if (directory.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(directory,
                            LinkOption.NOFOLLOW_LINKS);
                    if (permissions.contains(PosixFilePermission.GROUP_WRITE)
                            || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
                        return "writable by others (" + PosixFilePermissions.toString(permissions) + ")";
                    }
                }
                return null;
            } catch (IOException e) {
                return "cannot be checked: " + e.getMessage();
            }
        }
    }

    private static void createPrivateDirectories(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        Path parent = directory.getParent();
        if (parent != null) {
            createPrivateDirectories(parent);
        }
        try {
            if (directory.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createDirectory(directory,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectory(directory);
            }
        } catch (FileAlreadyExistsException e) {
            // created by a concurrent JVM
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
