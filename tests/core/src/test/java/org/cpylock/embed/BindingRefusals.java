package org.cpylock.embed;

import org.cpylock.CPython;
import org.cpylock.internal.NativeFiles;

import java.nio.file.Path;

/**
 * One case in which binding to an interpreter must be refused, in a JVM of
 * its own ({@link BindingRefusalTest}); the JVM options name the library.
 *
 * <pre>
 * BindingRefusals [--preload LIBRARY]
 * </pre>
 * With {@code --preload}, LIBRARY is loaded globally first (a process that
 * has an interpreter already). Prints {@code REFUSED: <message>} and exits 0
 * if cpylock's first use throws {@link IllegalStateException}; exits 1 if it
 * binds.
 */
public final class BindingRefusals {
    private BindingRefusals() {
    }

    public static void main(String[] args) {
        if (args.length == 2 && args[0].equals("--preload")) {
            NativeFiles.openGlobal(Path.of(args[1]));
        }
        try {
            System.out.println("BOUND: " + CPython.interpreter() + ", " + CPython.flavour());
            System.exit(1);
        } catch (IllegalStateException e) {
            System.out.println("REFUSED: " + e.getMessage());
            System.exit(0);
        }
    }
}
