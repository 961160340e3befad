package wanka.curate.pipeline;

/** Handed to a step with each document: where it records why it dropped a document. */
public final class StepContext {
    private final StepStats stats;
    private final int task;
    private String dropReason;

    StepContext(StepStats stats, int task) {
        this.stats = stats;
        this.task = task;
    }

    /** The index of the task (input shard) being processed. */
    public int task() {
        return task;
    }

    /** Records that the current document is dropped, and why (a short reason key such as {@code gopher_min_words}). */
    public void drop(String reason) {
        this.dropReason = reason;
    }

    /** Adds to a named counter of this step (e.g. duplicates found, characters removed). */
    public void count(String counter, long n) {
        stats.count(counter, n);
    }

    String takeDropReason() {
        String r = dropReason;
        dropReason = null;
        return r;
    }
}
