package org.cpylock.internal;

import org.cpylock.api.Flavour;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Path;
import java.util.Optional;

/** The loader's and the dynamic linker's views of native files, for tests outside this package. */
public final class NativeFiles {
    private NativeFiles() {
    }

    /** The canonical path of the bundled library of {@code flavour}, extracted if it was not (not loaded). */
    public static Path bundledLibrary(Flavour flavour) {
        try {
            return LibraryFiles.extract("cpylock-" + flavour.id()).toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code dlopen(library, RTLD_NOW | RTLD_GLOBAL)}, as an embedding program loads a libpython. */
    public static void openGlobal(Path library) {
        DynamicLinker.openGlobal(library);
    }

    /** The process's global scope ({@code dlsym(RTLD_DEFAULT, name)}), as a symbol lookup. */
    public static SymbolLookup globalScope() {
        return name -> {
            MemorySegment address = DynamicLinker.symbol(MemorySegment.NULL, name);
            return address.equals(MemorySegment.NULL) ? Optional.empty() : Optional.of(address);
        };
    }

    /** The file of the loaded object that holds {@code address}, if any ({@code dladdr}). */
    public static Optional<Path> fileAt(MemorySegment address) {
        return DynamicLinker.objectAt(address).map(DynamicLinker.LoadedObject::file);
    }
}
