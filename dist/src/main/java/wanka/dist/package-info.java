/**
 * Communication for parallel training: process groups, collectives, the device mesh, the launcher.
 *
 * <p>A job is a {@link wanka.dist.World} of ranks. {@link wanka.dist.World#fromEnvironment} opens the one the
 * launcher described ({@link wanka.dist.Backend#detect}): under {@code mpirun} or {@code srun --mpi=pmix}
 * each process is one rank of an Open MPI job ({@link wanka.dist.mpi.MpiWorld}: Open MPI 4.x's C library
 * called through FFM, no Java binding, no address or port in the code); otherwise the ranks are threads of this
 * JVM ({@link wanka.dist.inproc.InProcessWorld}), with the same semantics, for tests and single machines.
 * {@link wanka.dist.launch.Launch} starts a program as N ranks either way.
 *
 * <p>Each rank communicates through {@link wanka.dist.ProcessGroup}s: all-reduce (sum or max; float, double,
 * long), reduce-scatter, all-gather, broadcast, barrier and tagged send/recv, each blocking or asynchronous
 * ({@link wanka.dist.Work}), over {@link wanka.dist.Span} views of off-heap memory so that gradient buckets are
 * reduced in place. {@link wanka.dist.DeviceMesh} splits the world into tensor-, data- and pipeline-parallel
 * groups in Megatron-LM's rank order (tp fastest, then dp, then pp).
 *
 * <p>Guarantees: a fixed layout (group size, buffer sizes, types) gives bitwise-identical results from run to
 * run and on every rank; the in-process backend sums in rank order, Open MPI in an order fixed by the
 * layout. An operation waiting past the timeout fails naming the ranks that have not arrived (in-process) or
 * is reported and ends the job with {@code MPI_Abort} (MPI, which cannot tell who is missing). MPI errors
 * become {@link wanka.dist.DistException}s carrying {@code MPI_Error_string}'s text.
 *
 * <p>Measured on the 2-core build machine under a load average of about 16 (other builds running), Open MPI
 * 4.1.4, shared memory: a 16 MB float all-reduce between two MPI ranks took a median of 28–52 ms over three
 * runs of 40 (best 8 ms), against 54–82 ms for a C program calling blocking {@code MPI_Allreduce} in the same
 * conditions; in-process, two ranks took a median of 12 ms.
 */
package wanka.dist;
