package org.cpylock.embed;

import org.cpylock.CPython;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * Binds cpylock to the interpreter {@code -Dcpylock.library} names in a JVM
 * where nothing else has started it, and prints what the start left behind:
 * {@code initialized before: 0}, {@code initialized after: 1},
 * {@code this thread: detached}, then, from Python, its prefix and a ctypes
 * call (an extension module, found through the global load).
 * Run by {@link InterpreterStartTest}.
 */
public final class InterpreterStart {
    private InterpreterStart() {
    }

    public static void main(String[] args) throws Throwable {
        Linker linker = Linker.nativeLinker();
        SymbolLookup library = SymbolLookup.libraryLookup(Path.of(System.getProperty("cpylock.library")),
                Arena.global());
        MethodHandle initialized = linker.downcallHandle(library.findOrThrow("Py_IsInitialized"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT));
        MethodHandle current = linker.downcallHandle(library.findOrThrow("PyThreadState_GetUnchecked"),
                FunctionDescriptor.of(ValueLayout.ADDRESS));
        System.out.println("initialized before: " + (int) initialized.invokeExact());
        System.out.println("bound: " + CPython.interpreter().orElseThrow() + ", " + CPython.flavour().id());
        System.out.println("initialized after: " + (int) initialized.invokeExact());
        MemorySegment state = (MemorySegment) current.invokeExact();
        System.out.println("this thread: " + (state.equals(MemorySegment.NULL) ? "detached" : "attached"));
        System.out.flush();
        Python.run("""
                import sys, ctypes
                print("prefix:", sys.prefix)
                print("ctypes:", ctypes.pythonapi.Py_IsInitialized())
                sys.stdout.flush()
                """);
    }
}
