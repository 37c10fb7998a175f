package org.cpylock.embed;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * {@code dlopen} as an embedding program or a Python host process calls it:
 * {@code RTLD_NOW | RTLD_GLOBAL}, so that the library's symbols join the
 * process's global scope (where CPython's extension modules find them).
 */
final class DynamicLinker {
    private static final int RTLD_NOW = 0x2;
    private static final int RTLD_GLOBAL = 0x100;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle DLOPEN = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("dlopen"),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle DLERROR = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("dlerror"),
            FunctionDescriptor.of(ValueLayout.ADDRESS));

    private DynamicLinker() {
    }

    /** Loads {@code library} into the global scope; returns its handle. */
    static MemorySegment openGlobal(Path library) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = (MemorySegment) DLOPEN.invokeExact(arena.allocateFrom(library.toString()),
                    RTLD_NOW | RTLD_GLOBAL);
            if (handle.equals(MemorySegment.NULL)) {
                MemorySegment error = (MemorySegment) DLERROR.invokeExact();
                throw new IllegalStateException("dlopen " + library + ": "
                        + (error.equals(MemorySegment.NULL) ? "failed" : error.reinterpret(4096).getString(0)));
            }
            return handle;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
