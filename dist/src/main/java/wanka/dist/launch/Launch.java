package wanka.dist.launch;

import java.lang.management.ManagementFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import wanka.dist.Backend;
import wanka.dist.mpi.MpiWorld;

/**
 * Starts a Java program as {@code nproc} ranks. With Open MPI installed ({@code mpirun} on the PATH and its
 * library loadable) that is {@code mpirun -np N … java … -cp <classpath> <javaArgs>}, one JVM per rank, with
 * {@code --oversubscribe} when there are more ranks than cores and the run-as-root permission when root.
 * Without it, one JVM runs with {@code WANKA_DIST_RANKS=N}, so {@link Backend#detect} gives N in-process ranks,
 * and the plan's note says so. Across hosts, use {@code mpirun --hostfile} or Slurm's {@code srun --mpi=pmix}
 * directly; the program is the same.
 */
public final class Launch {
    /**
     * What will run: the command line, variables to add to the environment, and a note for the user (empty when
     * there is nothing to say).
     */
    public record Plan(List<String> command, Map<String, String> environment, String note, boolean mpi) {
        public Plan {
            command = List.copyOf(command);
            environment = Map.copyOf(environment);
        }
    }

    private Launch() {}

    /** The command line running {@code javaArgs} (JVM options, main class, arguments) on the current classpath. */
    public static List<String> command(int nproc, List<String> javaArgs) {
        return plan(nproc, System.getProperty("java.class.path"), javaArgs).command();
    }

    /** The plan for {@code nproc} ranks of {@code java -cp classpath javaArgs…}. */
    public static Plan plan(int nproc, String classpath, List<String> javaArgs) {
        if (nproc < 1) {
            throw new IllegalArgumentException("nproc must be >= 1, got " + nproc);
        }
        List<String> java = new ArrayList<>();
        java.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        java.add("--enable-native-access=ALL-UNNAMED");
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            java.addAll(List.of("--add-modules", "jdk.incubator.vector"));
        }
        java.addAll(inheritedJvmOptions(ManagementFactory.getRuntimeMXBean().getInputArguments()));
        java.addAll(List.of("-cp", classpath));
        java.addAll(javaArgs);
        Optional<Path> mpirun = onPath("mpirun");
        Optional<String> noLib = MpiWorld.unavailable();
        if (mpirun.isEmpty() || noLib.isPresent()) {
            String why = mpirun.isEmpty() ? "no mpirun on the PATH" : noLib.get();
            return new Plan(java, Map.of(Backend.RANKS_VARIABLE, Integer.toString(nproc)),
                    "Open MPI is absent (" + why + "; install: apt-get install openmpi-bin libopenmpi-dev): the "
                            + nproc + " ranks run in-process, as threads of one JVM", false);
        }
        List<String> cmd = new ArrayList<>(List.of(mpirun.get().toString(), "-np", Integer.toString(nproc)));
        if (nproc > Runtime.getRuntime().availableProcessors()) {
            cmd.add("--oversubscribe");
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            cmd.add("--allow-run-as-root");
        }
        cmd.addAll(java);
        Map<String, String> env = root
                ? Map.of("OMPI_ALLOW_RUN_AS_ROOT", "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
                : Map.of();
        return new Plan(cmd, env, "", true);
    }

    /**
     * The options of {@code jvmArguments} (this JVM's) that the ranks take over: the garbage collector and the
     * heap and stack sizes (e.g. {@code bin/wanka}'s {@code -XX:+UseParallelGC -Xmx8g}). Without them each rank
     * ran with the JVM's defaults (G1, a quarter of the memory), and a rank's compute was measurably slower than
     * the same work in the parent JVM.
     */
    public static List<String> inheritedJvmOptions(List<String> jvmArguments) {
        return jvmArguments.stream().filter(a -> a.startsWith("-Xmx") || a.startsWith("-Xms") || a.startsWith("-Xss")
                || a.matches("-XX:[+-]Use\\w+GC")).toList();
    }

    /** A process builder for {@code plan}, its environment set; the caller decides where output goes. */
    public static ProcessBuilder processBuilder(Plan plan) {
        ProcessBuilder pb = new ProcessBuilder(plan.command());
        pb.environment().putAll(plan.environment());
        return pb;
    }

    /** Runs {@code nproc} ranks of {@code javaArgs} on the current classpath, output inherited; the exit code. */
    public static int run(int nproc, List<String> javaArgs) throws IOException, InterruptedException {
        Plan plan = plan(nproc, System.getProperty("java.class.path"), javaArgs);
        if (!plan.note().isEmpty()) {
            System.err.println("wanka launch: " + plan.note());
        }
        return processBuilder(plan).inheritIO().start().waitFor();
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
