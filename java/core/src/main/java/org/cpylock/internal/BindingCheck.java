package org.cpylock.internal;

import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Proves, once a library is loaded, that the generated bindings call into
 * that library and nowhere else.
 *
 * <p>The bindings find their functions by name among the libraries of this
 * class loader ({@code SymbolLookup.loaderLookup()}), and a library another
 * part of the application loaded with {@link System#load} (a JNI library
 * linked to a libpython, say) is searched too, with its dependencies, in an
 * order nobody controls. The libraries export only {@code cpylock_*} names,
 * which nothing else defines, so the lookup can only find theirs; this check
 * makes that a fact established at load rather than an assumption: every
 * function of a header class must resolve in the loaded file.
 */
final class BindingCheck {
    private static final String ADDRESS_SUFFIX = "$address";

    private BindingCheck() {
    }

    /**
     * Requires every function of {@code headers} (jextract's header classes)
     * to resolve in {@code library}.
     *
     * @param library the file loaded, as {@link LibraryFiles#load} returns it
     * @throws IllegalStateException naming the function and the file it resolved in otherwise
     */
    static void requireDefinedBy(Path library, Class<?>... headers) {
        // What jextract's header classes search (their SYMBOL_LOOKUP), asked
        // here by name: resolving through the header classes themselves would
        // link every downcall at load.
        SymbolLookup bindings = SymbolLookup.loaderLookup().or(Linker.nativeLinker().defaultLookup());
        Long base = null;
        for (Class<?> header : headers) {
            for (Method method : header.getMethods()) {
                String name = method.getName();
                if (!name.endsWith(ADDRESS_SUFFIX) || method.getParameterCount() != 0
                        || !Modifier.isStatic(method.getModifiers())) {
                    continue;
                }
                String function = name.substring(0, name.length() - ADDRESS_SUFFIX.length());
                Optional<DynamicLinker.LoadedObject> object = bindings.find(function).flatMap(DynamicLinker::objectAt);
                if (object.isEmpty() || !object.get().file().equals(library)
                        || (base != null && base != object.get().base())) {
                    throw new IllegalStateException("cpylock's binding of " + function + " resolves in "
                            + object.map(o -> o.file().toString()).orElse("no loaded object") + ", not in " + library
                            + "; another library of this class loader defines that name");
                }
                base = object.get().base();
            }
        }
    }
}
