package wanka.curate.pipeline;


import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Runs one step on documents through the pipeline's own {@link TaskRunner} (so drop reasons and timings are recorded
 * as in a real run) and tells, per document, what came out. A step that throws is an error here, not a quarantine.
 */
public final class StepRun implements AutoCloseable {
    /** What one document became: the output document, or null and the drop reason. */
    public record Outcome(Document doc, String dropReason) {
        public boolean kept() {
            return doc != null;
        }
    }

    private final Step step;
    private final TaskRunner runner;
    private final Quarantine quarantine;
    private final Path quarantineFile;
    private StepStats stats;
    private Document captured;

    public StepRun(Step step) {
        this.step = step;
        try {
            quarantineFile = Files.createTempFile("wanka-steprun", ".jsonl");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        quarantine = new Quarantine(quarantineFile);
        Step capture = new Step() {
            @Override
            public String name() {
                return "capture";
            }

            @Override
            public Document apply(Document doc, StepContext ctx) {
                captured = doc;
                return doc;
            }
        };
        runner = new TaskRunner(List.of(step, capture), quarantine, 0);
    }

    /** Runs the step on {@code doc}. */
    public Outcome apply(Document doc) {
        captured = null;
        long q = quarantine.count();
        Map<String, Long> before = stats == null ? Map.of() : Map.copyOf(stats.dropReasons());
        try {
            runner.accept(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (quarantine.count() != q) throw new IllegalStateException("step '" + step.name() + "' threw on document " + doc.id() + " (see " + quarantineFile + ")");
        if (captured != null) return new Outcome(captured, null);
        if (stats == null) stats = statsNow();
        for (var e : stats.dropReasons().entrySet()) {
            if (!e.getValue().equals(before.getOrDefault(e.getKey(), 0L))) return new Outcome(null, e.getKey());
        }
        throw new IllegalStateException("step '" + step.name() + "' dropped document " + doc.id() + " without a reason");
    }

    /** The step's statistics so far (documents, drop reasons, counters, time). */
    public StepStats stats() {
        return stats == null ? (stats = statsNow()) : stats;
    }

    private StepStats statsNow() {
        try {
            return runner.finish().getFirst();
        } catch (Exception e) {
            throw new IllegalStateException("step '" + step.name() + "' failed to finish", e);
        }
    }

    @Override
    public void close() throws Exception {
        quarantine.close();
        Files.deleteIfExists(quarantineFile); // the step belongs to the caller, who closes it
    }
}
