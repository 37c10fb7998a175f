package org.cpylock.internal;

import org.cpylock.api.Flavour;
import org.cpylock.internal.ffi.CPyLock;
import org.cpylock.internal.ffi.PyCriticalSection2;
import org.cpylock.internal.ffi.PyCriticalSection;
import org.cpylock.internal.ffi.PyEvent;
import org.cpylock.internal.ffi.PyMutex;
import org.cpylock.internal.ffi._PyOnceFlag;
import org.cpylock.internal.ffi._PyRWMutex;
import org.cpylock.internal.ffi._PyRawMutex;
import org.cpylock.internal.ffi._PyRecursiveMutex;
import org.cpylock.internal.ffi._PySeqLock;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The struct layouts jextract generated (from CPython's headers, as the
 * free-threaded build declares them) against the sizes and offsets the loaded
 * library was compiled with.
 */
class LayoutTest {
    private static Flavour flavour;

    /** One structure: jextract's size and field offsets, and the library's. */
    record Struct(String name, long generatedSize, LongSupplier nativeSize,
                  Map<String, long[]> generatedAndNativeOffsets, boolean freeThreadedOnly) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeAll
    static void load() {
        flavour = NativeLibrary.ensureLoaded();
    }

    static List<Struct> structs() {
        NativeLibrary.ensureLoaded();
        return List.of(
                new Struct("PyMutex", PyMutex.sizeof(), CPyLock::cpylock_sizeof_PyMutex,
                        Map.of("_bits", new long[]{PyMutex._bits$offset(), CPyLock.cpylock_offsetof_PyMutex__bits()}),
                        false),
                new Struct("_PyRawMutex", _PyRawMutex.sizeof(), CPyLock::cpylock_sizeof_PyRawMutex,
                        Map.of("v", new long[]{_PyRawMutex.v$offset(), CPyLock.cpylock_offsetof_PyRawMutex_v()}),
                        false),
                new Struct("_PyRWMutex", _PyRWMutex.sizeof(), CPyLock::cpylock_sizeof_PyRWMutex,
                        Map.of("bits", new long[]{_PyRWMutex.bits$offset(), CPyLock.cpylock_offsetof_PyRWMutex_bits()}),
                        false),
                new Struct("_PySeqLock", _PySeqLock.sizeof(), CPyLock::cpylock_sizeof_PySeqLock,
                        Map.of("sequence", new long[]{_PySeqLock.sequence$offset(),
                                CPyLock.cpylock_offsetof_PySeqLock_sequence()}),
                        false),
                new Struct("PyEvent", PyEvent.sizeof(), CPyLock::cpylock_sizeof_PyEvent,
                        Map.of("v", new long[]{PyEvent.v$offset(), CPyLock.cpylock_offsetof_PyEvent_v()}),
                        false),
                new Struct("_PyOnceFlag", _PyOnceFlag.sizeof(), CPyLock::cpylock_sizeof_PyOnceFlag,
                        Map.of("v", new long[]{_PyOnceFlag.v$offset(), CPyLock.cpylock_offsetof_PyOnceFlag_v()}),
                        false),
                new Struct("_PyRecursiveMutex", _PyRecursiveMutex.sizeof(), CPyLock::cpylock_sizeof_PyRecursiveMutex,
                        Map.of("mutex", new long[]{_PyRecursiveMutex.mutex$offset(),
                                        CPyLock.cpylock_offsetof_PyRecursiveMutex_mutex()},
                                "thread", new long[]{_PyRecursiveMutex.thread$offset(),
                                        CPyLock.cpylock_offsetof_PyRecursiveMutex_thread()},
                                "level", new long[]{_PyRecursiveMutex.level$offset(),
                                        CPyLock.cpylock_offsetof_PyRecursiveMutex_level()}),
                        false),
                new Struct("PyCriticalSection", PyCriticalSection.sizeof(), CPyLock::cpylock_sizeof_PyCriticalSection,
                        Map.of("_cs_prev", new long[]{PyCriticalSection._cs_prev$offset(),
                                        CPyLock.cpylock_offsetof_PyCriticalSection__cs_prev()},
                                "_cs_mutex", new long[]{PyCriticalSection._cs_mutex$offset(),
                                        CPyLock.cpylock_offsetof_PyCriticalSection__cs_mutex()}),
                        true),
                new Struct("PyCriticalSection2", PyCriticalSection2.sizeof(), CPyLock::cpylock_sizeof_PyCriticalSection2,
                        Map.of("_cs_base", new long[]{PyCriticalSection2._cs_base$offset(),
                                        CPyLock.cpylock_offsetof_PyCriticalSection2__cs_base()},
                                "_cs_mutex2", new long[]{PyCriticalSection2._cs_mutex2$offset(),
                                        CPyLock.cpylock_offsetof_PyCriticalSection2__cs_mutex2()}),
                        true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("structs")
    void generatedLayoutMatchesLibrary(Struct struct) {
        if (struct.freeThreadedOnly() && flavour == Flavour.DEFAULT) {
            // CPython's default build leaves the critical-section structures
            // incomplete: the library reports size 0.
            assertEquals(0, struct.nativeSize().getAsLong(), struct.name() + " size in the default flavour");
            return;
        }
        assertEquals(struct.nativeSize().getAsLong(), struct.generatedSize(), struct.name() + " size");
        struct.generatedAndNativeOffsets().forEach((field, offsets) ->
                assertEquals(offsets[1], offsets[0], struct.name() + "." + field + " offset"));
    }
}
