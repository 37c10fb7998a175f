package org.cpylock.internal;

import org.cpylock.internal.ffi.CPyLock;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link BindingCheck} refuses bindings that resolved anywhere but the file named. */
class BindingCheckTest {
    @Test
    void bindingsThatResolvedInAnotherFileAreRefused() {
        NativeLibrary.ensureLoaded(); // the check passed for the file loaded
        Path elsewhere = Path.of("/nonexistent/libpython3.13.so.1.0");
        IllegalStateException refusal = assertThrows(IllegalStateException.class,
                () -> BindingCheck.requireDefinedBy(elsewhere, CPyLock.class));
        assertTrue(refusal.getMessage().contains("resolves in") && refusal.getMessage().contains(elsewhere.toString()),
                refusal.getMessage());
    }
}
