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
    /** {@code dladdr1}'s request for the object's {@code struct link_map}. */
    private static final int RTLD_DL_LINKMAP = 2;
    /** {@code struct link_map}'s {@code l_name}, after {@code l_addr}: "" for the main program. */
    private static final long LINK_MAP_NAME = ValueLayout.ADDRESS.byteSize();
    /** {@code Dl_info}: {@code dli_fname}, {@code dli_fbase}, {@code dli_sname}, {@code dli_saddr}. */
    private static final StructLayout DL_INFO = MemoryLayout.structLayout(ValueLayout.ADDRESS.withName("dli_fname"),
            ValueLayout.ADDRESS.withName("dli_fbase"), ValueLayout.ADDRESS.withName("dli_sname"),
            ValueLayout.ADDRESS.withName("dli_saddr"));

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle DLOPEN = function("dlopen",
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle DLSYM = function("dlsym",
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle DLADDR1 = function("dladdr1", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
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

    /**
     * {@code dlopen(NULL, RTLD_NOW)}: the main program, whose {@code dlsym}
     * searches the process's global scope (the executable first).
     */
    static MemorySegment mainProgram() {
        return open(null, RTLD_NOW);
    }

    private static MemorySegment open(Path library, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = library == null ? MemorySegment.NULL : arena.allocateFrom(library.toString());
            MemorySegment handle = (MemorySegment) DLOPEN.invokeExact(name, flags);
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

    /**
     * A loaded object: its file, as the dynamic linker names it (for the main
     * program, the executable's real path, {@code /proc/self/exe}), the
     * address it is loaded at, and whether it is the main program.
     */
    record LoadedObject(Path file, long base, boolean mainProgram) {
    }

    /** The object in the global scope that defines {@code name}, if any. */
    static Optional<LoadedObject> objectDefining(String name) {
        MemorySegment address = symbol(MemorySegment.NULL, name);
        return address.equals(MemorySegment.NULL) ? Optional.empty() : objectAt(address);
    }

    /**
     * The loaded object that holds {@code address} ({@code dladdr1} with its
     * link map, whose empty name marks the main program: {@code dladdr}'s
     * file name is then only the program's {@code argv[0]}), if any.
     */
    static Optional<LoadedObject> objectAt(MemorySegment address) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(DL_INFO);
            MemorySegment linkMap = arena.allocate(ValueLayout.ADDRESS);
            if ((int) DLADDR1.invokeExact(address, info, linkMap, RTLD_DL_LINKMAP) == 0) {
                return Optional.empty();
            }
            MemorySegment file = info.get(ValueLayout.ADDRESS, 0);
            long base = info.get(ValueLayout.ADDRESS, ValueLayout.ADDRESS.byteSize()).address();
            MemorySegment map = linkMap.get(ValueLayout.ADDRESS, 0).reinterpret(2 * ValueLayout.ADDRESS.byteSize());
            MemorySegment mapName = map.get(ValueLayout.ADDRESS, LINK_MAP_NAME);
            boolean mainProgram = !mapName.equals(MemorySegment.NULL)
                    && mapName.reinterpret(1).get(ValueLayout.JAVA_BYTE, 0) == 0;
            if (mainProgram) {
                return Optional.of(new LoadedObject(executable(), base, true));
            }
            return file.equals(MemorySegment.NULL) ? Optional.empty()
                    : Optional.of(new LoadedObject(Path.of(file.reinterpret(Long.MAX_VALUE).getString(0)), base,
                            false));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The process's executable, as {@code /proc/self/exe} names it. */
    static Path executable() {
        Path link = Path.of("/proc/self/exe");
        try {
            return link.toRealPath();
        } catch (java.io.IOException e) {
            return link;
        }
    }

    private static String lastError() throws Throwable {
        MemorySegment error = (MemorySegment) DLERROR.invokeExact();
        return error.equals(MemorySegment.NULL) ? "unknown error" : error.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
