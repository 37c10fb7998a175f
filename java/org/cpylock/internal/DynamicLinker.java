package org.cpylock.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The C library's dynamic linker ({@code <dlfcn.h>}: {@code dlopen},
 * {@code dlsym}, {@code dladdr}, {@code dlerror}), for the interpreter
 * backend: loading a libpython into the process's global scope, as an
 * embedding program does, and finding the one a host process has loaded.
 */
final class DynamicLinker {
    private static final int RTLD_NOW = 0x2;
    private static final int RTLD_NOLOAD = 0x4;
    private static final int RTLD_GLOBAL = 0x100;
    /** {@code Dl_info}: {@code dli_fname}, {@code dli_fbase}, {@code dli_sname}, {@code dli_saddr}. */
    private static final StructLayout DL_INFO = MemoryLayout.structLayout(ValueLayout.ADDRESS.withName("dli_fname"),
            ValueLayout.ADDRESS.withName("dli_fbase"), ValueLayout.ADDRESS.withName("dli_sname"),
            ValueLayout.ADDRESS.withName("dli_saddr"));

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle DLOPEN = function("dlopen",
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle DLSYM = function("dlsym",
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle DLADDR = function("dladdr",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle DLERROR = function("dlerror", FunctionDescriptor.of(ValueLayout.ADDRESS));

    private DynamicLinker() {
    }

    private static MethodHandle function(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow(name), descriptor);
    }

    /**
     * {@code dlopen(library, RTLD_NOW | RTLD_GLOBAL)}: loads the library (or
     * takes the loaded one) into the global scope.
     *
     * @throws IllegalStateException with {@code dlerror()}'s words if it cannot be loaded
     */
    static MemorySegment openGlobal(Path library) {
        return open(library, RTLD_NOW | RTLD_GLOBAL);
    }

    /** {@code dlopen(library, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD)}: the loaded library, made global. */
    static MemorySegment promoteToGlobal(Path library) {
        return open(library, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
    }

    private static MemorySegment open(Path library, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = (MemorySegment) DLOPEN.invokeExact(arena.allocateFrom(library.toString()), flags);
            if (handle.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("cannot load " + library + ": " + lastError());
            }
            return handle;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** {@code dlsym(handle, name)}: the symbol's address, or {@link MemorySegment#NULL}. */
    static MemorySegment symbol(MemorySegment handle, String name) {
        try (Arena arena = Arena.ofConfined()) {
            return (MemorySegment) DLSYM.invokeExact(handle, arena.allocateFrom(name));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** A loaded object: its file, as the dynamic linker names it, and the address it is loaded at. */
    record LoadedObject(Path file, long base) {
    }

    /**
     * The file of the object in the global scope that defines {@code name}
     * ({@code dlsym(RTLD_DEFAULT, name)}, then {@code dladdr}), if any.
     */
    static Optional<Path> fileDefining(String name) {
        MemorySegment address = symbol(MemorySegment.NULL, name);
        return address.equals(MemorySegment.NULL) ? Optional.empty() : objectAt(address).map(LoadedObject::file);
    }

    /** The loaded object that holds {@code address} ({@code dladdr}), if any. */
    static Optional<LoadedObject> objectAt(MemorySegment address) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(DL_INFO);
            if ((int) DLADDR.invokeExact(address, info) == 0) {
                return Optional.empty();
            }
            MemorySegment file = info.get(ValueLayout.ADDRESS, 0);
            MemorySegment base = info.get(ValueLayout.ADDRESS, ValueLayout.ADDRESS.byteSize());
            return file.equals(MemorySegment.NULL) ? Optional.empty()
                    : Optional.of(new LoadedObject(Path.of(file.reinterpret(Long.MAX_VALUE).getString(0)),
                            base.address()));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static String lastError() throws Throwable {
        MemorySegment error = (MemorySegment) DLERROR.invokeExact();
        return error.equals(MemorySegment.NULL) ? "unknown error" : error.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
