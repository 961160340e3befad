package wanka.train.parallel;

import wanka.data.PackedBatches;
import wanka.dist.DeviceMesh;
import wanka.dist.World;
import wanka.model.TeleChat2;
import wanka.tensor.CpuDevice;
import wanka.train.CheckpointWriter;
import wanka.train.TrainOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs a parallel pre-training job on the ranks of a {@link World} that live in this process: every rank of an
 * in-process world as a thread, or this process's one rank under {@code mpirun}. Each rank gets its own CPU
 * device, builds the model the same way, joins the mesh and trains.
 */
public final class ParallelRun {
    private ParallelRun() {
    }

    /** What each rank builds: its model on its device, and the data it reads. */
    public record Job(ParallelLayout layout, TrainOptions options, Function<CpuDevice, TeleChat2> model, PackedBatches data, int threadsPerRank) {
    }

    /**
     * Trains {@code job} on every local rank of {@code world}; returns each local rank's step logs by world rank.
     * {@code listener} hears every rank's logs (from that rank's thread).
     */
    public static Map<Integer, List<StepLog>> run(World world, Job job, Consumer<StepLog> listener) {
        return run(world, job, CheckpointWriter.Policy.NONE, false, listener, System.err::println);
    }

    /**
     * {@link #run(World, Job, Consumer)} with sharded checkpoints as {@code checkpoints} says, first resuming from the
     * newest checkpoint of the run that verifies if {@code resume} (starting fresh when there is none); {@code log}
     * hears what resuming and checkpointing have to say.
     */
    public static Map<Integer, List<StepLog>> run(World world, Job job, CheckpointWriter.Policy checkpoints, boolean resume,
                                                  Consumer<StepLog> listener, Consumer<String> log) {
        Map<Integer, List<StepLog>> logs = new ConcurrentHashMap<>();
        world.run(group -> {
            try (CpuDevice device = CpuDevice.withThreads(job.threadsPerRank())) {
                DeviceMesh mesh = DeviceMesh.create(group, job.layout().mesh());
                TeleChat2 full = job.model().apply(device);
                try (ParallelTrainer t = new ParallelTrainer(full, mesh, job.layout(), job.options(), job.data(), device)) {
                    // The trainer copied this rank's slices: the full model is no longer held, and no longer counted on the device.
                    full.parameters().values().forEach(wanka.tensor.Tensor::release);
                    if (resume) {
                        Consumer<String> rankLog = group.rank() == 0 ? log : m -> { };
                        long t0 = System.nanoTime();
                        t.resume(checkpoints, rankLog).ifPresent(c -> rankLog.accept("resumed from " + c.dir() + " (step " + c.step() + ", written by " + c.layout().describe() + ") in "
                                + (System.nanoTime() - t0) / 1_000_000 + " ms"));
                    }
                    logs.put(group.rank(), t.run(listener, checkpoints, log));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return Map.copyOf(logs);
    }
}
