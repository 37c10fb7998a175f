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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs every mutant of the reference port against the conformance suite and
 * the oracle, and prints which tests caught it.
 *
 * <p>A mutant is a patch (unified diff, paths from the repository root, as
 * {@code git diff} writes them) against {@code java/port/src/main/java} (or
 * {@code port/src/main/java}, where the port lived before); its first
 * line, {@code Mutant: ...}, says what it changes. For each mutant, and first
 * for the unchanged port: the sources are copied, patched ({@code git apply})
 * and compiled; then, once per flavour, a JVM runs
 * {@code ServiceLoadedConformanceTest} (the suite), {@code PortOracleTest}
 * (the oracle), {@code PortRuntimesTest} and {@code PortPlacementTest}
 * (what the port promises beyond the API) against the mutated classes through the JUnit Platform console
 * launcher, with hang bounds of 3 s and at most 20 s per test. A mutant is caught when a test fails in
 * either flavour. The table goes to standard output and to
 * {@code report.md} in the output directory.
 *
 * <p>Verdicts must not depend on luck: the whole set runs {@code
 * -Dmutants.runs} times (3 by default), one run after the other, and a
 * mutant caught in some runs but not in others is reported as unstable and
 * counted as a survivor. A patch that does not apply or compile is no
 * mutant: it is reported as invalid, left out of the score, and fails the
 * run.
 *
 * <p>Arguments: the mutants directory, the port's source root, its resources
 * root, the output directory.
 */
public final class MutationRun {
    private static final String PORT_SOURCES = "java/port/src/main/java";
    private static final Pattern PATCHED_FILE = Pattern.compile("^--- a/(.*?src/main/java)/.*");

    private static final List<String> FLAVOURS = List.of("free-threaded", "default");
    /** The hang bound of the suite and the oracle: mutants hang, the unchanged port finishes far sooner. */
    private static final int HANG_SECONDS = 3;
    private static final int TEST_LIMIT_SECONDS = 20;
    private static final long JVM_LIMIT_SECONDS = 300;
    private static final int RUNS = Integer.getInteger("mutants.runs", 3);

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
        if (!baseline.caughtBy().isEmpty() || baseline.invalid() != null) {
            System.err.println("the unchanged port fails: " + baseline.caughtBy() + (baseline.invalid() == null ? "" : ", " + baseline.invalid()) + "; see " + run.output);
            System.exit(1);
        }
        List<List<Result>> runs = new ArrayList<>();
        for (int round = 1; round <= RUNS; round++) {
            List<Result> results = new ArrayList<>();
            for (Path patch : patches) {
                Result result = run.run(patch.getFileName().toString().replaceFirst("\\.patch$", ""), patch);
                System.err.println("run " + round + " of " + RUNS + ": " + result.name() + ": "
                        + (result.invalid() != null ? "INVALID, " + result.invalid()
                        : result.caughtBy().isEmpty() ? "SURVIVED" : "caught"));
                results.add(result);
            }
            runs.add(results);
        }
        String report = report(runs);
        Files.writeString(run.output.resolve("report.md"), report);
        System.out.print(report);
        if (runs.getFirst().stream().anyMatch(result -> result.invalid() != null)) {
            System.err.println("some patches are not mutants (they do not apply or compile): see the table");
            System.exit(1);
        }
    }

    private Result run(String name, Path patch) throws IOException, InterruptedException {
        Path work = output.resolve(name);
        Path tree = work.resolve("tree");
        Path root = tree.resolve(patch == null ? PORT_SOURCES : sourceRootNamedBy(patch));
        copyTree(sources, root);
        String description = "the port as it is";
        if (patch != null) {
            description = Files.readAllLines(patch).getFirst().replaceFirst("^Mutant:\\s*", "");
            ProcessBuilder applying = new ProcessBuilder("git", "apply", patch.toAbsolutePath().toString())
                    .directory(tree.toFile()).redirectErrorStream(true)
                    .redirectOutput(work.resolve("apply.log").toFile());
            // The tree lies inside this repository's work tree, where git apply would take a git-format
            // patch's paths from the repository's root and skip them all without a word: stop git
            // from finding the repository, so that the paths are the tree's.
            applying.environment().put("GIT_CEILING_DIRECTORIES", work.toAbsolutePath().toString());
            if (applying.start().waitFor() != 0) {
                return Result.invalid(name, description, "the patch does not apply: " + work.resolve("apply.log"));
            }
            if (sameFiles(sources, root)) {
                return Result.invalid(name, description, "the patch changed nothing: " + work.resolve("apply.log"));
            }
        }
        Path classes = work.resolve("classes");
        if (!compile(root, classes, work.resolve("javac.log"))) {
            return Result.invalid(name, description, "it does not compile: " + work.resolve("javac.log"));
        }
        if (Files.isDirectory(resources)) {
            copyTree(resources, classes);
        }
        Set<String> caught = new LinkedHashSet<>();
        for (String flavour : FLAVOURS) {
            caught.addAll(test(classes, flavour, work.resolve(flavour)));
        }
        return new Result(name, description, caught, null);
    }

    /** Whether every file below {@code original} has its copy, unchanged, below {@code copy}. */
    private static boolean sameFiles(Path original, Path copy) throws IOException {
        try (Stream<Path> walk = Files.walk(original)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                Path copied = copy.resolve(original.relativize(file).toString());
                if (!Files.isRegularFile(copied) || Files.mismatch(file, copied) != -1) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The port's source root as the patch's first file path names it. */
    private static String sourceRootNamedBy(Path patch) throws IOException {
        for (String line : Files.readAllLines(patch)) {
            Matcher m = PATCHED_FILE.matcher(line);
            if (m.matches()) {
                return m.group(1);
            }
        }
        return PORT_SOURCES;
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
                "--select-class", "org.cpylock.oracle.PortRuntimesTest",
                "--select-class", "org.cpylock.oracle.PortPlacementTest",
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

    /**
     * The table: a mutant counts as caught when every run caught it; one
     * caught in some runs only is marked unstable, with the runs that missed it.
     */
    private static String report(List<List<Result>> runs) {
        List<Result> first = runs.getFirst();
        long caught = 0;
        long valid = first.stream().filter(r -> r.invalid() == null).count();
        List<String> unstable = new ArrayList<>();
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < first.size(); i++) {
            int index = i;
            List<Result> verdicts = runs.stream().map(results -> results.get(index)).toList();
            long caughtIn = verdicts.stream().filter(r -> !r.caughtBy().isEmpty()).count();
            Result shown = verdicts.stream().filter(r -> !r.caughtBy().isEmpty()).findFirst().orElse(verdicts.getFirst());
            String verdict;
            if (shown.invalid() != null) {
                verdict = "**invalid: " + shown.invalid() + "**";
            } else if (caughtIn == runs.size()) {
                caught++;
                verdict = summary(shown.caughtBy());
            } else if (caughtIn == 0) {
                verdict = "**survived**";
            } else {
                unstable.add(shown.name());
                verdict = "**unstable: caught in " + caughtIn + " of " + runs.size() + " runs** by "
                        + summary(shown.caughtBy());
            }
            rows.append("| `").append(shown.name()).append("` | ").append(shown.description()).append(" | ")
                    .append(verdict).append(" |\n");
        }
        StringBuilder table = new StringBuilder()
                .append("Mutation score: ").append(caught).append(" of ").append(valid)
                .append(" mutants caught in every one of ").append(runs.size()).append(runs.size() == 1 ? " run" : " runs")
                .append(" (").append(Math.round(100.0 * caught / Math.max(1, valid))).append(" %)\n");
        table.append(unstable.isEmpty() ? "Verdicts that changed between runs: none\n"
                : "Verdicts that changed between runs: " + String.join(", ", unstable) + "\n");
        return table.append("\n| mutant | what it changes | caught by |\n|---|---|---|\n").append(rows).toString();
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

    /**
     * One mutant's row: the tests that failed against it (none: it survived),
     * or why it is no mutant at all.
     */
    private record Result(String name, String description, Set<String> caughtBy, String invalid) {
        static Result invalid(String name, String description, String why) {
            return new Result(name, description, Set.of(), why);
        }
    }
}
