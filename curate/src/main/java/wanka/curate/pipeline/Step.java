package wanka.curate.pipeline;

/**
 * One small unit of a pipeline (datatrove style): looks at a document and passes it on unchanged,
 * changed, or not at all. Steps are created per task and used by one thread, so they may keep state
 * (e.g. a dedup filter's seen-set) for the task's shard.
 */
public interface Step extends AutoCloseable {

    /** The name used in reports (usually the config's {@code type}). */
    String name();

    /**
     * Processes one document. Returns the document to pass on (the same instance when unchanged, another
     * one when changed) or {@code null} to drop it, after calling {@link StepContext#drop} with the reason.
     */
    Document apply(Document doc, StepContext ctx) throws Exception;

    /** Called once after the task's last document (writers flush here). */
    default void finish(StepContext ctx) throws Exception {
    }

    @Override
    default void close() throws java.io.IOException {
    }
}
