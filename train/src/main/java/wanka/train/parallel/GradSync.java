package wanka.train.parallel;

import wanka.dist.ProcessGroup;
import wanka.dist.ReduceOp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Data-parallel gradient reduction, bucketed and overlapped with backward (PyTorch DDP, Megatron-LM's
 * {@code DistributedDataParallel}; F3). The buckets of {@link FlatParams} are the plan; each step replays it:
 * during the backward of the last micro-batch, every time a layer's gradients are final ({@link #ready}, from
 * {@link CommOps#gate}) the buckets that are now complete start, in bucket order, as asynchronous collectives on
 * the data-parallel group while backward continues; {@link #finish} starts any left and waits for all.
 *
 * <p>Without ZeRO a bucket is all-reduced (every rank then holds the summed gradient). With ZeRO-1
 * (Rajbhandari et al. 2020, stage 1; Megatron's distributed optimizer) it is reduce-scattered: rank r receives
 * the sum of block r of each bucket, updates only those parameters ({@link #owned}), and
 * {@link #gatherParams} all-gathers the updated blocks. Per step both move the same bytes as one all-reduce of
 * the gradients (parallel-formulas §2.6).
 */
final class GradSync {
    private final FlatParams flat;
    private final Comm comm;
    private final ProcessGroup dp;
    private final boolean zero;
    private final boolean[] ready;
    private final List<Comm.Pending> inFlight = new ArrayList<>();
    private int next;
    private int startedEarly;
    private boolean armed;

    GradSync(FlatParams flat, Comm comm, ProcessGroup dp, boolean zero, int groups) {
        this.flat = flat;
        this.comm = comm;
        this.dp = dp;
        this.zero = zero;
        this.ready = new boolean[groups];
    }

    /** Starts a step: gradients zero, no group ready. */
    void begin() {
        Arrays.fill(flat.grads, 0f);
        Arrays.fill(ready, false);
        inFlight.clear();
        next = 0;
        armed = false;
    }

    /** Whether the backward now running is the last one of its layers this step, so gates mean "final". */
    void arm(boolean on) {
        armed = on;
    }

    /** A layer group's gradients are final if {@link #arm armed}: start every bucket that is now complete. */
    void ready(int group) {
        if (!armed) return;
        ready[group] = true;
        while (next < flat.buckets.size() && complete(flat.buckets.get(next))) launch(flat.buckets.get(next++));
    }

    private boolean complete(FlatParams.Bucket b) {
        for (int g : b.groups()) if (!ready[g]) return false;
        return true;
    }

    private void launch(FlatParams.Bucket b) {
        if (zero) {
            int part = b.length() / dp.size();
            inFlight.add(comm.reduceScatterAsync(dp, flat.grads, b.start(), b.length(), flat.grads, b.start() + dp.rank() * part));
        } else {
            inFlight.add(comm.allReduceAsync(dp, flat.grads, b.start(), b.length(), ReduceOp.SUM, "all_reduce"));
        }
    }

    /** Starts the buckets not yet started and waits for all of them. */
    void finish() {
        startedEarly = next;
        while (next < flat.buckets.size()) launch(flat.buckets.get(next++));
        for (Comm.Pending p : inFlight) p.await();
        inFlight.clear();
    }

    /** How many buckets the last step started while backward was still running (before {@link #finish}). */
    int startedEarly() {
        return startedEarly;
    }

    /** The flat ranges [from, to) whose reduced gradients this rank holds and whose parameters it updates. */
    List<int[]> owned() {
        List<int[]> r = new ArrayList<>();
        for (FlatParams.Bucket b : flat.buckets) {
            if (zero) {
                int part = b.length() / dp.size();
                r.add(new int[]{b.start() + dp.rank() * part, b.start() + (dp.rank() + 1) * part});
            } else {
                r.add(new int[]{b.start(), b.start() + b.length()});
            }
        }
        return r;
    }

    /** ZeRO-1: gives every rank the parameters the others updated (no-op without ZeRO). */
    void gatherParams() {
        if (!zero) return;
        List<Comm.Pending> ps = new ArrayList<>();
        for (FlatParams.Bucket b : flat.buckets) {
            int part = b.length() / dp.size();
            ps.add(comm.allGatherAsync(dp, flat.params, b.start() + dp.rank() * part, part, flat.params, b.start()));
        }
        for (Comm.Pending p : ps) p.await();
    }
}
