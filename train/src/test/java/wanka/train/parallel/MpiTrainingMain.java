package wanka.train.parallel;

import wanka.data.TokenShard;
import wanka.dist.World;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One rank of {@link MpiTrainingTest}'s jobs, started by mpirun: trains the test layout named by the arguments
 * ({@code tp dp pp microBatch shard outDir [sp] [replicas=N] [recompute=none|selective|full|PLAN_FILE]}) on the Open
 * MPI world and prints rank 0's losses as {@code losses: l1,l2,…} (full precision). Each rank writes its process id
 * to {@code outDir/pids/rank-R}.
 */
public final class MpiTrainingMain {
    private MpiTrainingMain() {
    }

    public static void main(String[] args) throws Exception {
        int tp = Integer.parseInt(args[0]), dp = Integer.parseInt(args[1]), pp = Integer.parseInt(args[2]), micro = Integer.parseInt(args[3]);
        ParallelLayout layout = ParallelTrainingTest.layout(tp, dp, pp, micro);
        for (String option : java.util.Arrays.asList(args).subList(6, args.length)) {
            if (option.equals("sp")) layout = ParallelTrainingTest.sequenceParallel(layout);
            else if (option.startsWith("replicas=")) layout = layout.withReplicas(Integer.parseInt(option.substring(9)));
            else if (option.startsWith("recompute=")) layout = layout.withRecompute(wanka.train.recompute.RecomputePlan.parse(option.substring(10)));
            else throw new IllegalArgumentException("unknown option " + option + " (sp, replicas=N, recompute=SPEC)");
        }
        try (World world = World.fromEnvironment(Duration.ofMinutes(2)); TokenShard shard = TokenShard.open(Path.of(args[4]))) {
            Path pids = java.nio.file.Files.createDirectories(Path.of(args[5]).resolve("pids")); // for the test that kills a rank
            java.nio.file.Files.writeString(pids.resolve("rank-" + world.groups().getFirst().rank()), Long.toString(ProcessHandle.current().pid()));
            Map<Integer, List<StepLog>> logs = ParallelRun.run(world, ParallelTrainingTest.job(layout, shard, Path.of(args[5])), s -> { });
            List<StepLog> mine = logs.values().iterator().next();
            if (mine.getFirst().rank() == 0) {
                System.out.println("losses: " + mine.stream().map(s -> Double.toString(s.loss())).collect(Collectors.joining(",")));
            }
        }
    }
}
