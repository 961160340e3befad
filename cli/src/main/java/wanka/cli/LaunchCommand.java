package wanka.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import wanka.dist.launch.Launch;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "launch", mixinStandardHelpOptions = true,
        description = {"Run a wanka command as N ranks: under mpirun, one process per rank, when Open MPI is installed;",
                "otherwise as N in-process ranks (threads) of one JVM, and it says so."},
        footer = {"", "Example:", "  wanka launch --nproc 4 -- pretrain --tp 2 --dp 2 --data train.tokens --out runs/p"})
final class LaunchCommand implements Callable<Integer> {
    @Option(names = "--nproc", required = true, paramLabel = "N", description = "Number of ranks.")
    int nproc;

    @Parameters(paramLabel = "COMMAND", arity = "1..*", description = "The wanka command and its arguments (after --).")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<String> javaArgs = new ArrayList<>();
        javaArgs.add(Main.class.getName());
        javaArgs.addAll(command);
        Launch.Plan plan = Launch.plan(nproc, System.getProperty("java.class.path"), javaArgs);
        System.err.println("wanka launch: " + (plan.mpi() ? "Open MPI, " + nproc + " processes" : plan.note()));
        return Launch.processBuilder(plan).inheritIO().start().waitFor();
    }
}
