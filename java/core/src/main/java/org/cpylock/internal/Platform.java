package org.cpylock.internal;

import java.util.Locale;

/** The {@code <os>-<arch>} name under which the jar holds a platform's native libraries. */
final class Platform {
    private Platform() {
    }

    /** This JVM's platform, named as CMakeLists.txt names it (for example {@code linux-x86_64}). */
    static String current() {
        return os(System.getProperty("os.name", "")) + "-" + arch(System.getProperty("os.arch", ""));
    }

    static String os(String osName) {
        String name = osName.toLowerCase(Locale.ROOT);
        if (name.startsWith("linux")) {
            return "linux";
        }
        if (name.startsWith("mac") || name.startsWith("darwin")) {
            return "macos";
        }
        if (name.startsWith("windows")) {
            return "windows";
        }
        return name.replaceAll("[^a-z0-9]", "");
    }

    static String arch(String osArch) {
        String arch = osArch.toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64", "x64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> arch.replaceAll("[^a-z0-9_]", "");
        };
    }
}
