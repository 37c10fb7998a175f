package org.cpylock.embed;

import org.cpylock.CPython;

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
    private static final SymbolLookup LIBPYTHON = libpython();
    private static final MethodHandle ENSURE = LINKER.downcallHandle(LIBPYTHON.findOrThrow("PyGILState_Ensure"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT));
    private static final MethodHandle RELEASE = LINKER.downcallHandle(LIBPYTHON.findOrThrow("PyGILState_Release"),
            FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));
    private static final MethodHandle RUN = LINKER.downcallHandle(LIBPYTHON.findOrThrow("PyRun_SimpleString"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MethodHandle MAIN_INTERPRETER = LINKER.downcallHandle(
            LIBPYTHON.findOrThrow("PyInterpreterState_Main"), FunctionDescriptor.of(ValueLayout.ADDRESS));
    private static final MethodHandle THREAD_HEAD = LINKER.downcallHandle(
            LIBPYTHON.findOrThrow("PyInterpreterState_ThreadHead"),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle THREAD_NEXT = LINKER.downcallHandle(LIBPYTHON.findOrThrow("PyThreadState_Next"),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private Python() {
    }

    /** The functions of the libpython cpylock is bound to. */
    private static SymbolLookup libpython() {
        return SymbolLookup.libraryLookup(CPython.interpreter().orElseThrow(() -> new IllegalStateException(
                "cpylock is not bound to an interpreter (-Dcpylock.library)")), Arena.global());
    }

    /**
     * Runs {@code code} in {@code __main__} on the calling thread, which holds
     * a thread state of its own meanwhile. Python threads it starts go on.
     *
     * @throws AssertionError if the code raised (the traceback is on stderr)
     */
    static void run(String code) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment source = arena.allocateFrom(code);
            int gil = (int) ENSURE.invokeExact();
            int result;
            try {
                result = (int) RUN.invokeExact(source);
            } finally {
                RELEASE.invokeExact(gil);
            }
            if (result != 0) {
                throw new AssertionError("the Python code raised (its traceback is on stderr):\n" + code);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
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
