package wanka.train.parallel;

import wanka.data.TokenShard;
import wanka.dist.World;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One rank of {@link MpiTrainingTest}'s jobs, started by mpirun: trains the test layout named by the arguments
 * ({@code tp dp pp microBatch shard outDir [sp] [replicas=N] [recompute=none|selective|full|PLAN_FILE] [peer=AREA]
 * [stop=N] [resume]}) on the Open MPI world and prints rank 0's losses as {@code losses: l1,l2,…} (full precision).
 * Each rank writes its process id to {@code outDir/pids/rank-R}. With {@code peer=AREA} it keeps level-1 checkpoints
 * every 2 steps (the newest 2) in host areas {@code AREA} ({@code {host}} replaced by {@code $WANKA_HOST} or the
 * hostname) with a copy on the peer host, asynchronously; {@code stop=N} ends the job cleanly after step N (the writes
 * in flight finished), {@code resume} resumes first; rank 0 prints what resuming says as {@code log: …} lines.
 */
public final class MpiTrainingMain {
    private MpiTrainingMain() {
    }

    /** Ends a job early ({@code stop=N}). */
    private static final class Stop extends RuntimeException {
        Stop() {
            super("stopped early", null, false, false);
        }
    }

    public static void main(String[] args) throws Exception {
        int tp = Integer.parseInt(args[0]), dp = Integer.parseInt(args[1]), pp = Integer.parseInt(args[2]), micro = Integer.parseInt(args[3]);
        ParallelLayout layout = ParallelTrainingTest.layout(tp, dp, pp, micro);
        wanka.train.CheckpointWriter.Policy policy = wanka.train.CheckpointWriter.Policy.NONE;
        int stop = 0;
        boolean resume = false;
        for (String option : java.util.Arrays.asList(args).subList(6, args.length)) {
            if (option.equals("sp")) layout = ParallelTrainingTest.sequenceParallel(layout);
            else if (option.startsWith("peer=")) policy = new wanka.train.CheckpointWriter.Policy(0, 0, true, false, Duration.ofMinutes(1), List.of())
                    .withPeerMemory(new wanka.train.store.PeerMemory(option.substring(5), wanka.train.store.HostNaming.fromEnvironment(), 2, 2));
            else if (option.startsWith("stop=")) stop = Integer.parseInt(option.substring(5));
            else if (option.equals("resume")) resume = true;
            else if (option.startsWith("replicas=")) layout = layout.withReplicas(Integer.parseInt(option.substring(9)));
            else if (option.startsWith("recompute=")) layout = layout.withRecompute(wanka.train.recompute.RecomputePlan.parse(option.substring(10)));
            else throw new IllegalArgumentException("unknown option " + option + " (sp, replicas=N, recompute=SPEC, peer=AREA, stop=N, resume)");
        }
        try (World world = World.fromEnvironment(Duration.ofMinutes(2)); TokenShard shard = TokenShard.open(Path.of(args[4]))) {
            Path pids = java.nio.file.Files.createDirectories(Path.of(args[5]).resolve("pids")); // for the test that kills a rank
            java.nio.file.Files.writeString(pids.resolve("rank-" + world.groups().getFirst().rank()), Long.toString(ProcessHandle.current().pid()));
            int stopAfter = stop;
            List<StepLog> mine = new java.util.ArrayList<>();
            try {
                ParallelRun.run(world, ParallelTrainingTest.job(layout, shard, Path.of(args[5])), policy, resume, s -> {
                    mine.add(s);
                    if (s.step() == stopAfter) throw new Stop();
                }, m -> System.out.println("log: " + m));
            } catch (RuntimeException e) {
                Throwable c = e;
                while (c != null && !(c instanceof Stop)) c = c.getCause();
                if (c == null) throw e;
                System.out.println("stopped after step " + stopAfter);
            }
            if (mine.getFirst().rank() == 0) {
                System.out.println("losses: " + mine.stream().map(s -> Double.toString(s.loss())).collect(Collectors.joining(",")));
            }
        }
    }
}
