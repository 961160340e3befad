package wanka.cli;

import wanka.dist.Backend;
import wanka.dist.launch.Launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What a restarted rank's JVM starts from, to shorten a restart's class loading and warm-up: nothing, an AppCDS archive
 * of the loaded classes ({@code -XX:SharedArchiveFile}), or a JDK 25 AOT cache ({@code -XX:AOTCache}: the classes
 * loaded and linked, and method profiles). {@link #create} makes the file once per classpath and JVM, with a short
 * warm-up run of the job in one JVM (its ranks as threads), so the ranks only ever read it: under mpirun every rank has
 * the same command line, and {@code -XX:+AutoCreateSharedArchive} would have them all write the same file at exit (and a
 * killed rank writes nothing). The file is written under another name and moved into place, so a reader never sees
 * half of one; a JVM that cannot use it starts without it.
 */
record StartupCache(Kind kind, Path file) {

    enum Kind {
        NONE, APPCDS, AOT;

        String label() {
            return switch (this) {
                case NONE -> "no archive";
                case APPCDS -> "AppCDS archive";
                case AOT -> "AOT cache";
            };
        }
    }

    static final StartupCache NONE = new StartupCache(Kind.NONE, null);

    /**
     * The ranks' JVM options for this cache. {@code -Xlog:cds=off} hides the JDK's complaint that its own base archive was
     * made without {@code --add-modules jdk.incubator.vector} (harmless, printed as an error at every start); an archive
     * that does not map is still reported ({@code [cds,dynamic]}, {@code [aot]}).
     */
    List<String> jvmOptions() {
        return switch (kind) {
            case NONE -> List.of();
            case APPCDS -> List.of("-XX:SharedArchiveFile=" + file, "-Xshare:auto", "-Xlog:cds=off");
            case AOT -> List.of("-XX:AOTCache=" + file, "-Xlog:cds=off");
        };
    }

    /**
     * The cache of {@code kind} in {@code dir} for this classpath and JVM, made first (by running {@code warmup}, a wanka
     * command, as {@code ranks} in-process ranks with the options the launched ranks get) if it is not there yet;
     * {@link #NONE} (saying why on {@code log}) when it cannot be made.
     */
    static StartupCache create(Kind kind, Path dir, int ranks, List<String> warmup, Consumer<String> log) throws IOException, InterruptedException {
        if (kind == Kind.NONE) return NONE;
        Files.createDirectories(dir);
        Path file = dir.resolve("wanka-" + key() + (kind == Kind.AOT ? ".aot" : ".jsa"));
        if (Files.isRegularFile(file)) return new StartupCache(kind, file);
        Path tmp = dir.resolve(file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        Files.deleteIfExists(tmp);
        List<String> javaArgs = new ArrayList<>(List.of(kind == Kind.AOT ? "-XX:AOTCacheOutput=" + tmp : "-XX:ArchiveClassesAtExit=" + tmp, Main.class.getName()));
        javaArgs.addAll(warmup);
        List<String> java = javaCommand(Launch.plan(ranks, System.getProperty("java.class.path"), javaArgs));
        long t0 = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(java).redirectErrorStream(true).redirectOutput(dir.resolve(file.getFileName() + ".log").toFile());
        pb.environment().put(Backend.RANKS_VARIABLE, Integer.toString(ranks));
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            log.accept(kind.label() + " not made: the warm-up run did not end within 10 minutes");
            return NONE;
        }
        if (p.exitValue() != 0 || !Files.isRegularFile(tmp)) {
            log.accept(kind.label() + " not made: the warm-up run exited " + p.exitValue() + "; see " + dir.resolve(file.getFileName() + ".log"));
            Files.deleteIfExists(tmp);
            return NONE;
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        log.accept(String.format(Locale.ROOT, "%s %s made in %.1f s (%d kB)", kind.label(), file, (System.nanoTime() - t0) / 1e9, Files.size(file) / 1024));
        return new StartupCache(kind, file);
    }

    /**
     * A short warm-up of a supervised job's {@code command} (a wanka command line) for {@link #create}: 3 steps into
     * {@code dir}, afresh, every checkpoint level kept but moved into {@code dir} (an object store becomes a directory
     * there), no resume, with simulated hosts when level 1 is copied to peers; so it loads what the job loads and
     * touches nothing of the job's own.
     */
    static List<String> warmup(List<String> command, Path dir, int ranks) {
        List<String> args = new ArrayList<>();
        boolean peers = false, simulated = false;
        for (int i = 0; i < command.size(); i++) {
            String a = command.get(i);
            switch (a) {
                case "--resume", "--s3-endpoint", "--s3-region", "--out", "--steps" -> i++; // dropped with their values, or set below
                case "--overwrite" -> { }
                case "--memory-checkpoints" -> {
                    boolean perHost = ++i < command.size() && command.get(i).contains(wanka.train.store.PeerMemory.HOST);
                    args.addAll(List.of(a, dir.resolve("memory").resolve(perHost ? wanka.train.store.PeerMemory.HOST : "area").toString()));
                }
                case "--memory-mirror" -> {
                    i++;
                    args.addAll(List.of(a, dir.resolve("mirror").toString()));
                }
                case "--shared-checkpoints" -> {
                    i++;
                    args.addAll(List.of(a, dir.resolve("shared").toString()));
                }
                default -> {
                    if (a.equals("--memory-peer-copies")) peers = true;
                    if (a.equals("--simulated-hosts")) simulated = true;
                    args.add(a);
                }
            }
        }
        args.addAll(List.of("--out", dir.resolve("run").toString(), "--steps", "3", "--overwrite"));
        if (peers && !simulated && ranks > 1) {
            List<String> hosts = new ArrayList<>();
            for (int h = 0; h < ranks; h++) hosts.add("warmup" + h);
            args.addAll(List.of("--simulated-hosts", String.join(",", hosts)));
        }
        return args;
    }

    /** The plain {@code java …} part of a plan (mpirun's own arguments left out). */
    static List<String> javaCommand(Launch.Plan plan) {
        List<String> cmd = plan.command();
        for (int i = 0; i < cmd.size(); i++) if (cmd.get(i).endsWith("/bin/java") || cmd.get(i).equals("java")) return cmd.subList(i, cmd.size());
        throw new IllegalStateException("no java in " + cmd);
    }

    /** Names the cache after what it depends on: the JVM and every classpath entry's path, size and time. */
    private static String key() throws IOException {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update((System.getProperty("java.vm.version") + "\n").getBytes(StandardCharsets.UTF_8));
            for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                Path p = Path.of(e);
                String stamp = Files.exists(p) ? Files.size(p) + ":" + Files.getLastModifiedTime(p).toMillis() : "absent";
                d.update((e + "=" + stamp + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(d.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
