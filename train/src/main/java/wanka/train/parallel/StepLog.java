package wanka.train.parallel;

import java.util.Map;

/**
 * What one rank did in one optimizer step; a line of {@code ranks/rank-NNNNN.jsonl} in the run directory.
 * {@code computeMs} is the step's wall time less exposed communication and bubble; {@code exposedCommMs} the
 * time the rank was blocked on collectives (tensor-parallel ones always, data-parallel buckets only when still
 * in flight at the end of backward); {@code overlappedCommMs} the time asynchronous collectives ran while it
 * computed (from start to the wait that found them); {@code bubbleMs} the time spent waiting for pipeline
 * neighbours (parallel-formulas §2.5). {@code bytes}: payload bytes per collective type and group (e.g.
 * {@code all_reduce/dp}: bytes of the buffers this rank passed, not the bytes a ring algorithm moves).
 * {@code peakBytes}: the most tensor bytes alive on this rank's device during the step. {@code bucketsOverlapped}
 * of {@code buckets} gradient buckets started their reduction while backward was still running.
 */
public record StepLog(int rank, long step, double loss, double lr, double gradNorm, double stepMs, double computeMs,
                      double exposedCommMs, double overlappedCommMs, double bubbleMs, long peakBytes, Map<String, Long> bytes,
                      int buckets, int bucketsOverlapped) {
}
