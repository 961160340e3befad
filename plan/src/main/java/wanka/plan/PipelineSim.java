package wanka.plan;

import java.util.Arrays;

/**
 * An event simulation of one step of a pipeline schedule: each device runs its {@link PipelineSchedule} passes in
 * order, a pass starting when the device is free and its input has arrived (the previous virtual stage's forward,
 * or the next virtual stage's backward, plus the point-to-point transfer). Virtual stage of chunk c on device r is
 * c·p + r. Stages may have different pass durations (embedding on the first, LM head and loss on the last), so the
 * bubble comes out of the simulation instead of the (p−1)/m closed form; with equal stages it reproduces that form.
 */
public final class PipelineSim {
    private PipelineSim() {
    }

    /**
     * Result of a simulation.
     *
     * @param makespan   seconds from the first forward to the last backward
     * @param busy       seconds each device computes
     * @param finish     when each device's last pass ends
     * @param events     every pass in the order it ran, when asked for (empty otherwise)
     */
    public record Result(double makespan, double[] busy, double[] finish, java.util.List<Event> events) {
    }

    /**
     * One pass as it ran: on {@code device}, model chunk {@code chunk}, micro-batch {@code micro}; its input arrived
     * at {@code ready} (after the point-to-point transfer), it ran from {@code start} to {@code end}.
     */
    public record Event(int device, int chunk, int micro, boolean forward, double ready, double start, double end) {
    }

    /** {@link #run(int, int, int, double[], double[], double, boolean)} without recording events. */
    public static Result run(int p, int v, int m, double[] fwd, double[] bwd, double p2p) {
        return run(p, v, m, fwd, bwd, p2p, false);
    }

    /**
     * Simulates p devices with v chunks each over m micro-batches.
     *
     * @param fwd forward seconds of one micro-batch per virtual stage (length p·v)
     * @param bwd backward seconds per virtual stage (including recomputation)
     * @param p2p seconds to pass activations (or their gradients) between neighbouring virtual stages
     * @param record whether to keep every pass as an {@link Event} (for a timeline)
     */
    public static Result run(int p, int v, int m, double[] fwd, double[] bwd, double p2p, boolean record) {
        java.util.List<Event> events = new java.util.ArrayList<>();
        int stages = p * v;
        double[][] doneF = new double[stages][m], doneB = new double[stages][m];
        for (double[] r : doneF) Arrays.fill(r, Double.NaN);
        for (double[] r : doneB) Arrays.fill(r, Double.NaN);
        PipelineSchedule.Pass[][] orders = new PipelineSchedule.Pass[p][];
        for (int r = 0; r < p; r++) orders[r] = PipelineSchedule.order(r, p, v, m);
        int[] next = new int[p];
        double[] free = new double[p], busy = new double[p];
        int remaining = 2 * m * v * p;
        while (remaining > 0) {
            boolean progressed = false;
            for (int r = 0; r < p; r++) {
                while (next[r] < orders[r].length) {
                    PipelineSchedule.Pass pass = orders[r][next[r]];
                    int vs = pass.chunk() * p + r, mb = pass.micro();
                    double ready;
                    if (pass.forward()) {
                        ready = vs == 0 ? 0 : doneF[vs - 1][mb] + p2p;
                    } else {
                        ready = vs == stages - 1 ? doneF[vs][mb] : doneB[vs + 1][mb] + p2p;
                    }
                    if (Double.isNaN(ready)) break;
                    double start = Math.max(free[r], ready);
                    double dur = pass.forward() ? fwd[vs] : bwd[vs];
                    free[r] = start + dur;
                    if (record) events.add(new Event(r, pass.chunk(), mb, pass.forward(), ready, start, free[r]));
                    busy[r] += dur;
                    (pass.forward() ? doneF : doneB)[vs][mb] = free[r];
                    next[r]++;
                    remaining--;
                    progressed = true;
                }
            }
            if (!progressed) throw new IllegalStateException("pipeline schedule deadlocked (p " + p + ", v " + v + ", m " + m + ")");
        }
        double makespan = 0;
        for (double f : free) makespan = Math.max(makespan, f);
        return new Result(makespan, busy, free, events);
    }
}
