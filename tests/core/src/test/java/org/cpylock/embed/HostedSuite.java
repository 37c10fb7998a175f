package org.cpylock.embed;

import org.cpylock.CPython;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.io.PrintWriter;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/**
 * Runs test classes in a JVM that a CPython process hosts (with
 * {@code -Dcpylock.library=process}): {@code host_jvm.py} runs this as its
 * main class, so that the interpreter tests run against the interpreter of
 * the process that started the JVM. Exits with status 0 when every test
 * passed (or was skipped), 1 otherwise.
 *
 * <pre>
 * HostedSuite CLASS...
 * </pre>
 */
public final class HostedSuite {
    private HostedSuite() {
    }

    public static void main(String[] classes) {
        System.out.println("HostedSuite: cpylock bound to " + CPython.interpreter().orElseThrow() + ", CPython "
                + CPython.version() + ", " + CPython.flavour().id());
        var builder = request();
        for (String name : classes) {
            builder.selectors(selectClass(name));
        }
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(builder.build(), listener);
        TestExecutionSummary summary = listener.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        summary.printTo(out);
        summary.printFailuresTo(out, 30);
        boolean passed = summary.getTotalFailureCount() == 0 && summary.getTestsSucceededCount() > 0;
        System.out.println(passed ? "HostedSuite: passed" : "HostedSuite: FAILED");
        System.exit(passed ? 0 : 1);
    }
}
