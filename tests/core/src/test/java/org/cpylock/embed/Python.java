package org.cpylock.embed;

import org.cpylock.CPython;
import org.cpylock.internal.NativeFiles;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Runs Python code in the interpreter cpylock is bound to, from Java, as C
 * code of an embedding program does ({@code PyGILState_Ensure},
 * {@code PyRun_SimpleString}, {@code PyGILState_Release}); and a few ints of
 * native memory that Python code (through ctypes) and Java share.
 */
final class Python {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup INTERPRETER = interpreter();
    private static final MethodHandle MAIN_INTERPRETER = LINKER.downcallHandle(
            INTERPRETER.findOrThrow("PyInterpreterState_Main"), FunctionDescriptor.of(ValueLayout.ADDRESS));
    private static final MethodHandle THREAD_HEAD = LINKER.downcallHandle(
            INTERPRETER.findOrThrow("PyInterpreterState_ThreadHead"),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle THREAD_NEXT = LINKER.downcallHandle(INTERPRETER.findOrThrow("PyThreadState_Next"),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private Python() {
    }

    /**
     * The functions of the interpreter cpylock is bound to: in the process's
     * global scope, where binding put a libpython, or where an executable
     * CPython is linked into has its own.
     */
    private static SymbolLookup interpreter() {
        CPython.interpreter().orElseThrow(() -> new IllegalStateException(
                "cpylock is not bound to an interpreter (-Dcpylock.library)"));
        return NativeFiles.globalScope();
    }

    /**
     * Runs {@code code} in {@code __main__} on the calling thread ({@link CPython#run}).
     *
     * @throws AssertionError if the code raised (the traceback is on stderr)
     */
    static void run(String code) {
        try {
            CPython.run(code);
        } catch (IllegalStateException e) {
            throw new AssertionError(e.getMessage() + ":\n" + code, e);
        }
    }

    /**
     * How many thread states the main interpreter has
     * ({@code PyInterpreterState_ThreadHead}, {@code PyThreadState_Next});
     * meaningful while no thread starts or ends.
     */
    static int threadStates() {
        try {
            int count = 0;
            MemorySegment state = (MemorySegment) THREAD_HEAD.invokeExact((MemorySegment) MAIN_INTERPRETER.invokeExact());
            while (!state.equals(MemorySegment.NULL)) {
                count++;
                state = (MemorySegment) THREAD_NEXT.invokeExact(state);
            }
            return count;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Ints in native memory, read and written by Java and by ctypes ({@code ctypes.c_int.from_address}). */
    record Ints(MemorySegment memory) {
        static Ints allocate(Arena arena, int count) {
            return new Ints(arena.allocate(ValueLayout.JAVA_INT, count));
        }

        /** The address of int {@code i}, for Python code. */
        long address(int i) {
            return memory.address() + 4L * i;
        }

        int get(int i) {
            return (int) INT.getVolatile(memory, 4L * i);
        }

        void set(int i, int value) {
            INT.setVolatile(memory, 4L * i, value);
        }
    }
}
