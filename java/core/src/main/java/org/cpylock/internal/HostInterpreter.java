package org.cpylock.internal;


import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import org.cpylock.api.Flavour;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;

/**
 * A running CPython interpreter in the process that cpylock is not bound to:
 * the bundled library beside it has a parking lot of its own, so a lock
 * shared with the interpreter's threads ({@code PyMutex.at} over an object's
 * mutex, say) would lose wake-ups. Said once, where a user looks: a warning
 * on {@link System.Logger} ({@code org.cpylock}), an {@code org.cpylock.UnboundInterpreter}
 * JFR event, and {@code CPython.describe()}.
 */
final class HostInterpreter {
    /** The interpreter and its flavour. */
    record Found(DynamicLinker.LoadedObject object, Flavour flavour) {
        /** What the user is told. */
        String warning(Flavour used) {
            return "this process runs a CPython interpreter (" + InterpreterBackend.describe(object) + ", "
                    + flavour.id() + " flavour), but cpylock uses its bundled library (" + used.id() + " flavour),"
                    + " whose parking lot is its own: a lock shared with the interpreter's threads would lose"
                    + " wake-ups. To share locks with it, bind to it with -D" + NativeLibrary.LIBRARY_PROPERTY
                    + "=process";
        }
    }

    private HostInterpreter() {
    }

    /** The initialized CPython interpreter in the process's global scope, if any. */
    static Optional<Found> find() {
        Optional<DynamicLinker.LoadedObject> present = InterpreterBackend.present();
        if (present.isEmpty() || !initialized()) {
            return Optional.empty();
        }
        Flavour flavour = DynamicLinker.symbol(MemorySegment.NULL, "_Py_DecRefShared").equals(MemorySegment.NULL)
                ? Flavour.DEFAULT : Flavour.FREE_THREADED;
        return Optional.of(new Found(present.get(), flavour));
    }

    /** Reports {@code found} once: the logger, the JFR event. */
    static void warn(Found found, Flavour used) {
        String warning = found.warning(used);
        System.getLogger("org.cpylock").log(System.Logger.Level.WARNING, warning);
        UnboundInterpreterEvent event = new UnboundInterpreterEvent();
        if (event.shouldCommit()) {
            event.interpreter = found.object().file().toString();
            event.message = warning;
            event.commit();
        }
    }

    private static boolean initialized() {
        MemorySegment function = DynamicLinker.symbol(MemorySegment.NULL, "Py_IsInitialized");
        try {
            return (int) Linker.nativeLinker().downcallHandle(function, FunctionDescriptor.of(ValueLayout.JAVA_INT))
                    .invokeExact() != 0;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** cpylock started with its bundled library in a process that runs a CPython interpreter. */
    @Name("org.cpylock.UnboundInterpreter")
    @Label("cpylock Beside an Unbound Interpreter")
    @Category("cpylock")
    @Description("cpylock uses its bundled library, with a parking lot of its own, in a process that runs a CPython"
            + " interpreter; bind to it with -Dcpylock.library=process to share locks with it")
    @StackTrace(false)
    static final class UnboundInterpreterEvent extends Event {
        @Label("Interpreter")
        @Description("The libpython, or the executable CPython is linked into")
        String interpreter;

        @Label("Message")
        String message;
    }
}
