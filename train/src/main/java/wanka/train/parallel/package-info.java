/**
 * Parallel pre-training (issue 8, F1 and F3): data, tensor (+ sequence) and pipeline parallelism and ZeRO-1,
 * applied to the unchanged TeleChat2 model and trained on the {@code wanka.dist} process groups.
 *
 * <p>{@link wanka.train.parallel.ParallelLayout} names the layout and says why one does not fit.
 * {@link wanka.train.parallel.ParallelRun} trains every rank of a {@link wanka.dist.World} that lives in this
 * process (threads in-process, one rank per process under mpirun); each rank is a
 * {@link wanka.train.parallel.ParallelTrainer}: it slices the built model ({@code ParallelModel}, torchtitan's
 * {@code parallelize}) into its pipeline chunks and tensor-parallel shards held in flat, bucketed buffers
 * ({@code FlatParams}), runs the 1F1B / interleaved schedule ({@code PipelineSchedule}), reduces gradient buckets
 * during backward ({@code GradSync}), and updates its shard with AdamW ({@code ShardedAdamW}). Communication
 * inside the model is a handful of autograd ops ({@code CommOps}, {@code VocabParallel}) placed where
 * Megatron-LM places them ({@code TensorParallelBlock}).
 *
 * <p>Exactness: every layout computes what the single-process trainer computes with batch
 * {@code microBatch·dp} and {@code microBatches} accumulation steps; on a 4-layer GQA test model the losses of
 * 20 steps agree within 2e-6 relative for dp, ZeRO-1, tp, sequence parallel, pp (1F1B, uneven, interleaved)
 * and tp × dp × pp = 2 × 2 × 2, and a layout reruns bitwise. Logs: {@link wanka.train.parallel.StepLog}.
 *
 * <p>Recompute (F5): the layout's {@link wanka.train.recompute.RecomputePlan} says per layer what backward
 * recomputes (none, the attention core, the MLP activation, the whole layer; {@code --recompute} or a plan file);
 * the same layer code ({@link wanka.train.recompute.LayerForward}) serves one process and tensor parallelism, so
 * the losses stay those of the single process and the peak bytes of the step logs drop.
 *
 * <p>Multi-replica (F2): with {@code replicas} > 1 each tensor-parallel region runs as a
 * {@link wanka.train.parallel.ReplicaRegion}, the micro-batch split along the batch into copies whose all-reduces
 * (with sequence parallelism, all-gathers and reduce-scatters) overlap the other copies' computation (MindSpore's
 * {@code MicroBatchInterleaved}); losses and bytes are those
 * of one copy.
 *
 * <p>Failures: a rank that throws or hangs ends the run with an error naming it ({@link wanka.dist.World#run});
 * under mpirun a killed rank ends the job. Ranks may live on separate hosts (tested with network namespaces and
 * under Slurm's {@code srun --mpi=pmix}).
 *
 * <p>Checkpoints (issue 10): every rank saves the values it owns ({@code ShardCopy}: its tensor-parallel parts, and its
 * ZeRO-1 range of the moments) as {@code rank-NNNNN/} of a sharded checkpoint that world rank 0 commits with one
 * manifest ({@link wanka.train.CheckpointWriter}, synchronous or in the background); {@link
 * wanka.train.parallel.ParallelTrainer#resume} assembles the newest checkpoint that verifies
 * ({@link wanka.train.AssembledCheckpoint}) and takes its own slices, so a run resumes bitwise under its own layout,
 * and under any other layout or in one process within rounding.
 *
 * <p>Not yet: domain-mixed data, and a model too large to build whole
 * on one rank.
 */
package wanka.train.parallel;
