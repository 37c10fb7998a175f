package org.cpylock.release;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

/**
 * Checks the packaged jar as a project that adopts it would see it (run by
 * the build in the verify phase):
 * <ul>
 *   <li>it holds stripped {@code linux-x86_64} and {@code linux-aarch64}
 *       libraries (ELF machine x86-64 and AArch64; no debug sections);</li>
 *   <li>{@code LICENSE}, {@code LICENSE-CPython} and {@code NOTICE};</li>
 *   <li>it is module {@code org.cpylock}, exporting {@code org.cpylock} only
 *       and requiring the API module {@code org.cpylock.api} transitively;
 *       the API's jar is module {@code org.cpylock.api}, exporting its one
 *       package and requiring nothing;</li>
 *   <li>the two jars side by side, as a project lays them out: on the module
 *       path with {@code --enable-native-access=org.cpylock} the self-check
 *       runs and the JVM warns about nothing; {@code java -jar} runs it too,
 *       finding the API's jar through the manifest's {@code Class-Path}, and
 *       without the API's jar it says what it lacks;</li>
 *   <li>a JDK older than 23, if one is given, says in words what it lacks;</li>
 *   <li>on each further java launcher given (an emulated JVM of another
 *       platform), the self-check runs in both flavours with the libraries
 *       that the jar packs for that platform.</li>
 * </ul>
 * <pre>
 * JarCheck JAR API_JAR PLATFORMS [JAVA [OTHER_JAVA...]]
 *   API_JAR    the cpylock-api jar the build made
 *   PLATFORMS  comma-separated, "host" for this machine's (e.g. host,linux-aarch64)
 *   JAVA       a java launcher; if its JDK is older than 23, its message is checked
 *   OTHER_JAVA a java launcher of 23 or newer, e.g. target/aarch64-jvm/bin/java
 * </pre>
 * Prints each check; exits 1 if one fails.
 */
public final class JarCheck {
    private static final int EM_X86_64 = 62;
    private static final int EM_AARCH64 = 183;
    private static final List<String> FAILURES = new ArrayList<>();
    /** Where the other JVMs' self-checks wait for their processes. */
    private static final Executor BESIDE = Executors.newVirtualThreadPerTaskExecutor();

    private JarCheck() {
    }

    public static void main(String[] args) throws Exception {
        Path built = Path.of(args[0]);
        Path apiJar = Path.of(args[1]);
        // The two jars side by side, as a project that adopts them lays them out.
        Path dir = Files.createDirectories(built.resolveSibling("jar-check"));
        Path jar = Files.copy(built, dir.resolve(built.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(apiJar, dir.resolve(apiJar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        try (JarFile file = new JarFile(jar.toFile())) {
            String classPath = file.getManifest().getMainAttributes().getValue("Class-Path");
            check(apiJar.getFileName().toString().equals(classPath),
                    "its manifest's Class-Path names the API's jar (" + classPath + ")");
            for (String platform : args[2].split(",")) {
                String name = platform.equals("host") ? hostPlatform() : platform;
                for (String library : List.of("libcpylock-default.so", "libcpylock-free-threaded.so",
                        "libcpylock-interpreter-default.so", "libcpylock-interpreter-free-threaded.so")) {
                    library(file, "natives/" + name + "/" + library,
                            name.endsWith("aarch64") ? EM_AARCH64 : EM_X86_64);
                    if (library.contains("-interpreter-")) {
                        check(file.getEntry("natives/" + name + "/" + library + ".imports") != null,
                                "the jar lists the interpreter names " + name + "/" + library + " references");
                    }
                }
            }
            for (String name : List.of("META-INF/LICENSE", "META-INF/LICENSE-CPython", "META-INF/NOTICE")) {
                check(file.getEntry(name) != null, "the jar carries " + name);
            }
        }

        Set<ModuleReference> modules = ModuleFinder.of(jar).findAll();
        ModuleDescriptor descriptor = modules.iterator().next().descriptor();
        check(descriptor.name().equals("org.cpylock") && !descriptor.isAutomatic(),
                "the jar is module org.cpylock (" + descriptor.name() + ")");
        Set<String> everyone = descriptor.exports().stream().filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        check(everyone.equals(Set.of("org.cpylock")), "it exports org.cpylock only (" + everyone + ")");
        check(descriptor.exports().stream().filter(ModuleDescriptor.Exports::isQualified)
                        .allMatch(e -> e.targets().equals(Set.of("java.management"))),
                "its qualified exports go to java.management, for the MBean (" + descriptor.exports() + ")");
        check(descriptor.requires().stream().anyMatch(q -> q.name().equals("org.cpylock.api")
                        && q.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE)),
                "it requires transitive org.cpylock.api (" + descriptor.requires() + ")");
        ModuleDescriptor api = ModuleFinder.of(apiJar).findAll().iterator().next().descriptor();
        check(api.name().equals("org.cpylock.api") && !api.isAutomatic()
                        && api.exports().stream().map(ModuleDescriptor.Exports::source).toList()
                                .equals(List.of("org.cpylock.api"))
                        && api.requires().stream().allMatch(q -> q.name().equals("java.base")),
                "the API's jar is module org.cpylock.api, exporting org.cpylock.api, requiring nothing ("
                        + api.exports() + ", " + api.requires() + ")");

        // The other platforms' JVMs are emulated and slow: their self-checks start first and run beside the rest.
        Map<List<String>, CompletableFuture<Run>> otherJvms = new LinkedHashMap<>();
        for (int i = 4; i < args.length; i++) {
            for (String flavour : List.of("free-threaded", "default")) {
                List<String> command = selfCheckCommand(args[i], flavour, dir);
                otherJvms.put(List.of(args[i], flavour), CompletableFuture.supplyAsync(() -> run(command), BESIDE));
            }
        }

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Run modular = run(List.of(java, "--enable-native-access=org.cpylock", "--module-path", dir.toString(),
                "-m", "org.cpylock/org.cpylock.SelfCheck"));
        check(modular.status == 0 && modular.output.contains("cpylock self-check: CPython"),
                "on the module path the self-check runs");
        check(!modular.output.contains("WARNING"), "with --enable-native-access=org.cpylock the JVM warns about nothing"
                + (modular.output.contains("WARNING") ? ":\n" + modular.output : ""));

        Run plain = run(List.of(java, "-jar", jar.toString()));
        check(plain.status == 0 && plain.output.contains("cpylock self-check: CPython")
                        && !plain.output.contains("WARNING"),
                "java -jar runs the self-check, the API's jar beside it, and the JVM warns about nothing"
                        + (plain.status == 0 ? "" : ":\n" + plain.output));

        Path alone = Files.createDirectories(built.resolveSibling("jar-check-alone"));
        Run withoutApi = run(List.of(java, "-jar",
                Files.copy(built, alone.resolve(built.getFileName()), StandardCopyOption.REPLACE_EXISTING).toString()));
        check(withoutApi.status == 1 && withoutApi.output.contains("cpylock needs its API's jar, cpylock-api"),
                "java -jar without the API's jar says what it lacks: " + withoutApi.output.strip());

        if (args.length > 3 && Files.isExecutable(Path.of(args[3])) && feature(args[3]) < 23) {
            Run old = run(List.of(args[3], "-jar", jar.toString()));
            check(old.status != 0 && old.output.contains("cpylock needs JDK 23 or newer"),
                    "an older JDK says what it lacks: " + old.output.strip());
        } else {
            System.out.println("  -- no JDK older than 23 given: its message is not checked");
        }
        otherJvms.forEach((jvmAndFlavour, run) -> checkSelfCheck(jvmAndFlavour.get(0), jvmAndFlavour.get(1), run.join()));
        System.out.println(FAILURES.isEmpty() ? "JarCheck: " + built + " is fine" : "JarCheck: FAILED " + FAILURES);
        System.exit(FAILURES.isEmpty() ? 0 : 1);
    }

    /**
     * The module-path self-check on another JVM in {@code flavour}, with the
     * jar's libraries for its platform. C1 only: an emulated JVM's C2
     * compilations cost a third of the check's time, and the check is of the
     * libraries and the loader, not of the compiled code. At a lower
     * priority: the emulation is a CPU hog beside the timed schedules of
     * modules built side by side.
     */
    private static List<String> selfCheckCommand(String java, String flavour, Path modulePath) {
        return List.of("nice", "-n", "10", java, "-XX:TieredStopAtLevel=1", "--enable-native-access=org.cpylock",
                "-Dcpylock.debug=true", "-Dcpylock.flavour=" + flavour, "-XshowSettings:properties",
                "--module-path", modulePath.toString(), "-m", "org.cpylock/org.cpylock.SelfCheck");
    }

    private static void checkSelfCheck(String java, String flavour, Run run) {
        String arch = run.output.lines().filter(l -> l.strip().startsWith("os.arch = ")).findFirst()
                .map(l -> l.strip().substring("os.arch = ".length())).orElse("?");
        String packed = "packed /natives/linux-" + arch + "/libcpylock-" + flavour + ".so";
        check(run.status == 0 && run.output.contains(packed)
                        && run.output.contains("cpylock self-check: CPython ")
                        && run.output.contains(", " + flavour + " flavour"),
                "on " + java + " (" + arch + ") the self-check runs in the " + flavour + " flavour with the jar's "
                        + "linux-" + arch + " library" + (run.status == 0 ? "" : ":\n" + run.output));
    }

    /** A packed library: an ELF shared object for {@code machine}, with no debug sections. */
    private static void library(JarFile file, String name, int machine) throws IOException {
        JarEntry entry = file.getJarEntry(name);
        if (entry == null) {
            check(false, "the jar carries " + name);
            return;
        }
        byte[] bytes;
        try (InputStream in = file.getInputStream(entry)) {
            bytes = in.readAllBytes();
        }
        ByteBuffer elf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        boolean isElf = bytes.length > 64 && elf.getInt(0) == 0x464c457f && bytes[4] == 2;
        int actual = isElf ? Short.toUnsignedInt(elf.getShort(18)) : -1;
        check(isElf && actual == machine, name + " is a 64-bit ELF object for machine " + machine + " (" + actual + ")");
        check(isElf && !sectionNames(elf).contains(".debug_info"), name + " is stripped of debug information");
    }

    /** The section names of a 64-bit little-endian ELF file. */
    private static Set<String> sectionNames(ByteBuffer elf) {
        long sectionTable = elf.getLong(0x28);
        int entrySize = Short.toUnsignedInt(elf.getShort(0x3a));
        int count = Short.toUnsignedInt(elf.getShort(0x3c));
        int namesIndex = Short.toUnsignedInt(elf.getShort(0x3e));
        long namesOffset = elf.getLong((int) (sectionTable + (long) namesIndex * entrySize + 0x18));
        Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < count; i++) {
            int nameOffset = elf.getInt((int) (sectionTable + (long) i * entrySize));
            int start = (int) (namesOffset + nameOffset);
            int end = start;
            while (elf.get(end) != 0) {
                end++;
            }
            names.add(new String(elf.array(), start, end - start, StandardCharsets.US_ASCII));
        }
        return names;
    }

    private record Run(int status, String output) {
    }

    /** The platform directory the loader would look in (org.cpylock.internal.Platform's names). */
    private static String hostPlatform() {
        String arch = System.getProperty("os.arch");
        return "linux-" + (arch.equals("amd64") ? "x86_64" : arch);
    }

    /** The feature release of the JDK of a java launcher ({@code java -version}'s quoted version). */
    private static int feature(String java) {
        String text = run(List.of(java, "-version")).output;
        int quote = text.indexOf('"');
        String version = text.substring(quote + 1, text.indexOf('"', quote + 1));
        return Integer.parseInt(version.startsWith("1.") ? version.substring(2, 3) : version.split("[.+-]")[0]);
    }

    /** Runs {@code command}, killed after 2 minutes (status -1, and what it printed). */
    private static Run run(List<String> command) {
        try {
            Path output = Files.createTempFile("jar-check", ".out");
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(output.toFile()).start();
                boolean ended = process.waitFor(2, TimeUnit.MINUTES);
                if (!ended) {
                    process.destroyForcibly().waitFor();
                }
                String text = Files.readString(output, StandardCharsets.UTF_8);
                return ended ? new Run(process.exitValue(), text) : new Run(-1, text + "\n(killed after 2 minutes)");
            } finally {
                Files.delete(output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    private static void check(boolean ok, String what) {
        System.out.println((ok ? "  ok " : "  FAILED ") + what);
        if (!ok) {
            FAILURES.add(what);
        }
    }
}
