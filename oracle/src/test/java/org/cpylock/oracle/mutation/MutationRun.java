package org.cpylock.oracle.mutation;

import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.tools.ToolProvider;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs every mutant of the reference port against the conformance suite and
 * the oracle, and prints which tests caught it.
 *
 * <p>A mutant is a patch (unified diff, paths from the repository root, as
 * {@code git diff} writes them) against {@code port/src/main/java}; its first
 * line, {@code Mutant: ...}, says what it changes. For each mutant, and first
 * for the unchanged port: the sources are copied, patched ({@code git apply})
 * and compiled; then, once per flavour, a JVM runs
 * {@code ServiceLoadedConformanceTest} (the suite) and {@code PortOracleTest}
 * (the oracle) against the mutated classes through the JUnit Platform console
 * launcher, with hang bounds of 3 s and at most 20 s per test. A mutant is caught when a test fails in
 * either flavour. The table goes to standard output and to
 * {@code report.md} in the output directory.
 *
 * <p>Arguments: the mutants directory, the port's source root, its resources
 * root, the output directory.
 */
public final class MutationRun {
    private static final List<String> FLAVOURS = List.of("free-threaded", "default");
    /** The hang bound of the suite and the oracle: mutants hang, the unchanged port finishes far sooner. */
    private static final int HANG_SECONDS = 3;
    private static final int TEST_LIMIT_SECONDS = 20;
    private static final long JVM_LIMIT_SECONDS = 300;

    private final Path sources;
    private final Path resources;
    private final Path output;
    private final String classPath;

    private MutationRun(Path sources, Path resources, Path output) {
        this.sources = sources;
        this.resources = resources;
        this.output = output;
        // The runner's own class path, without the unchanged port: the mutant's classes take its place.
        this.classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("cpylock-port") && !entry.replace('\\', '/').contains("port/target"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: MutationRun MUTANTS_DIR PORT_SOURCES PORT_RESOURCES OUTPUT_DIR");
            System.exit(2);
        }
        Path mutants = Path.of(args[0]);
        List<Path> patches;
        try (Stream<Path> listed = Files.list(mutants)) {
            patches = listed.filter(p -> p.toString().endsWith(".patch")).sorted().toList();
        }
        if (patches.isEmpty()) {
            System.err.println("no *.patch files in " + mutants.toAbsolutePath());
            System.exit(2);
        }
        MutationRun run = new MutationRun(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]));
        deleteTree(run.output);
        Files.createDirectories(run.output);

        Result baseline = run.run("unchanged", null);
        if (!baseline.caughtBy().isEmpty()) {
            System.err.println("the unchanged port fails: " + baseline.caughtBy() + "; see " + run.output);
            System.exit(1);
        }
        List<Result> results = new ArrayList<>();
        for (Path patch : patches) {
            Result result = run.run(patch.getFileName().toString().replaceFirst("\\.patch$", ""), patch);
            System.err.println(result.name() + ": " + (result.caughtBy().isEmpty() ? "SURVIVED" : "caught"));
            results.add(result);
        }
        String report = report(results);
        Files.writeString(run.output.resolve("report.md"), report);
        System.out.print(report);
    }

    private Result run(String name, Path patch) throws IOException, InterruptedException {
        Path work = output.resolve(name);
        Path tree = work.resolve("tree");
        Path root = tree.resolve("port/src/main/java");
        copyTree(sources, root);
        String description = "the port as it is";
        if (patch != null) {
            description = Files.readAllLines(patch).getFirst().replaceFirst("^Mutant:\\s*", "");
            Process apply = new ProcessBuilder("git", "apply", patch.toAbsolutePath().toString())
                    .directory(tree.toFile()).redirectErrorStream(true)
                    .redirectOutput(work.resolve("apply.log").toFile()).start();
            if (apply.waitFor() != 0) {
                return new Result(name, description, Set.of("(patch does not apply: " + work.resolve("apply.log") + ")"));
            }
        }
        Path classes = work.resolve("classes");
        if (!compile(root, classes, work.resolve("javac.log"))) {
            return new Result(name, description, Set.of("(does not compile: " + work.resolve("javac.log") + ")"));
        }
        if (Files.isDirectory(resources)) {
            copyTree(resources, classes);
        }
        Set<String> caught = new LinkedHashSet<>();
        for (String flavour : FLAVOURS) {
            caught.addAll(test(classes, flavour, work.resolve(flavour)));
        }
        return new Result(name, description, caught);
    }

    private boolean compile(Path root, Path classes, Path log) throws IOException {
        List<String> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(p -> p.toString().endsWith(".java") && !p.endsWith("module-info.java"))
                    .map(Path::toString).toList();
        }
        Files.createDirectories(classes);
        List<String> arguments = new ArrayList<>(List.of("--release", String.valueOf(Runtime.version().feature()),
                "-nowarn", "-d", classes.toString(), "-cp", classPath));
        arguments.addAll(files);
        try (PrintStream out = new PrintStream(Files.newOutputStream(log))) {
            return ToolProvider.getSystemJavaCompiler().run(null, out, out, arguments.toArray(String[]::new)) == 0;
        }
    }

    /** The tests that failed for one flavour ("[flavour] class.test"). */
    private List<String> test(Path classes, String flavour, Path reports) throws IOException, InterruptedException {
        Files.createDirectories(reports);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xss1m",
                "-Dcpylock.flavour=" + flavour, "-Dcpylock.tck.implementation=port-" + flavour,
                "-Dcpylock.tck.hang-seconds=" + HANG_SECONDS, "-Dcpylock.oracle.time-limit-seconds=" + HANG_SECONDS,
                "-cp", classes + File.pathSeparator + classPath,
                "org.junit.platform.console.ConsoleLauncher", "execute", "--disable-banner", "--details=none",
                // the first falsified program is enough; shrinking one that hangs costs a bound per attempt
                "--config=jqwik.shrinking.default=OFF",
                // a test that hangs where no bound of its own reaches is abandoned, and reported
                "--config=junit.jupiter.execution.timeout.default=" + TEST_LIMIT_SECONDS + " s",
                "--config=junit.jupiter.execution.timeout.thread.mode.default=SEPARATE_THREAD",
                "--select-class", "org.cpylock.tck.ServiceLoadedConformanceTest",
                "--select-class", "org.cpylock.oracle.PortOracleTest",
                "--reports-dir", reports.toString());
        Process jvm = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(reports.resolve("console.log").toFile()).start();
        if (!jvm.waitFor(JVM_LIMIT_SECONDS, TimeUnit.SECONDS)) {
            jvm.destroyForcibly().waitFor();
            return List.of("[" + flavour + "] the test JVM, still running after " + JVM_LIMIT_SECONDS + " s");
        }
        List<String> failed = new ArrayList<>();
        try (Stream<Path> xml = Files.list(reports)) {
            for (Path file : xml.filter(p -> p.getFileName().toString().startsWith("TEST-")).sorted().toList()) {
                failed.addAll(failures(file, flavour));
            }
        }
        if (failed.isEmpty() && jvm.exitValue() != 0) {
            failed.add("[" + flavour + "] the test JVM (exit " + jvm.exitValue() + ", see " + reports + ")");
        }
        return failed;
    }

    private static List<String> failures(Path report, String flavour) {
        try {
            var document = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(report.toFile());
            NodeList cases = document.getElementsByTagName("testcase");
            List<String> failed = new ArrayList<>();
            for (int i = 0; i < cases.getLength(); i++) {
                Element testCase = (Element) cases.item(i);
                if (testCase.getElementsByTagName("failure").getLength() > 0
                        || testCase.getElementsByTagName("error").getLength() > 0) {
                    String owner = testCase.getAttribute("classname");
                    owner = owner.substring(owner.lastIndexOf('.') + 1).replace("ServiceLoadedConformanceTest$", "");
                    failed.add("[" + flavour + "] " + owner + "." + testCase.getAttribute("name").replace("()", ""));
                }
            }
            return failed;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + report, e);
        }
    }

    private static String report(List<Result> results) {
        long caught = results.stream().filter(r -> !r.caughtBy().isEmpty()).count();
        StringBuilder table = new StringBuilder()
                .append("Mutation score: ").append(caught).append(" of ").append(results.size())
                .append(" mutants caught (").append(Math.round(100.0 * caught / results.size())).append(" %)\n\n")
                .append("| mutant | what it changes | caught by |\n|---|---|---|\n");
        for (Result result : results) {
            table.append("| `").append(result.name()).append("` | ").append(result.description()).append(" | ")
                    .append(result.caughtBy().isEmpty() ? "**survived**" : summary(result.caughtBy())).append(" |\n");
        }
        return table.toString();
    }

    /** The failing tests, at most four named, then how many more. */
    private static String summary(Set<String> caughtBy) {
        List<String> names = new ArrayList<>(caughtBy);
        String shown = names.stream().limit(4).map(n -> "`" + n + "`").collect(Collectors.joining(", "));
        return names.size() > 4 ? shown + " and " + (names.size() - 4) + " more" : shown;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path source : walk.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    /** One mutant's row: the tests that failed against it (none: it survived). */
    private record Result(String name, String description, Set<String> caughtBy) {
    }
}
