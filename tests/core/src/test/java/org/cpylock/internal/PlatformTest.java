package org.cpylock.internal;

import org.cpylock.api.Flavour;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Platform names as the build writes them, and a clear refusal for a platform the jar lacks. */
class PlatformTest {
    @Test
    void namesFollowTheBuildsDirectories() {
        assertEquals("linux", Platform.os("Linux"));
        assertEquals("macos", Platform.os("Mac OS X"));
        assertEquals("windows", Platform.os("Windows 11"));
        assertEquals("x86_64", Platform.arch("amd64"));
        assertEquals("x86_64", Platform.arch("x86_64"));
        assertEquals("aarch64", Platform.arch("arm64"));
        assertEquals("aarch64", Platform.arch("aarch64"));
        assertEquals("riscv64", Platform.arch("riscv64"));
    }

    @Test
    void thisPlatformsLibrariesArePacked() {
        for (Flavour flavour : Flavour.values()) {
            assertTrue(NativeLibrary.libraryBytes(Platform.current(), flavour).length > 0);
        }
    }

    @Test
    void anUnsupportedPlatformIsRefusedClearly() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> NativeLibrary.libraryBytes("plan9-mips", Flavour.FREE_THREADED));
        assertTrue(e.getMessage().contains("plan9-mips"), e.getMessage());
        assertTrue(e.getMessage().contains("libcpylock-free-threaded"), e.getMessage());
    }
}
