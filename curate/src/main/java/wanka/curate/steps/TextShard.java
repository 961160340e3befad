package wanka.curate.steps;

import wanka.curate.pipeline.Document;
import wanka.curate.pipeline.LocalExecutor;
import wanka.curate.pipeline.PipelineConfig;
import wanka.curate.pipeline.RunLayout;
import wanka.curate.pipeline.Step;
import wanka.curate.pipeline.StepContext;
import wanka.curate.pipeline.StepOptions;
import wanka.curate.pipeline.StepRegistry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * A plain-text file turned into a packed token shard by the data pipeline itself: the {@code text} reader (one
 * document per non-blank line) and the {@code tokenize} step, run as a one-task pipeline under {@code work}. So
 * {@code pretrain --text} and {@code data run} share one road: bad UTF-8 is quarantined (with the line) the same way,
 * bytes are counted the same way, and the run leaves the same layout ({@code work/output/tokens/default/}, a done
 * marker, a quarantine file) that a rerun reuses.
 */
public final class TextShard {
    private TextShard() {
    }

    /** The shard, how many documents went into it, and how many lines were quarantined (and where). */
    public record Result(Path shard, long documents, long quarantined, Path quarantineFile) {
    }

    /**
     * Tokenizes {@code text} with the tokenizer in {@code tokenizerDir} into a shard under {@code work}; reuses a
     * finished earlier run when the text has not changed since. {@code bytesRead} sees the UTF-8 bytes of the
     * documents read so far (for progress).
     */
    public static Result tokenize(Path text, Path tokenizerDir, Path work, LongConsumer bytesRead) throws IOException {
        if (!Files.isRegularFile(text)) throw new IOException("no such text file: " + text);
        RunLayout layout = new RunLayout(work);
        Path done = layout.done(0);
        if (Files.isRegularFile(done) && Files.getLastModifiedTime(done).compareTo(Files.getLastModifiedTime(text)) < 0) {
            deleteTree(work); // the text changed since: start over
        }
        long[] docs = {0}, bytes = {0};
        StepRegistry registry = BuiltinSteps.registry().register("progress", f -> new Step() {
            public String name() {
                return "progress";
            }

            public Document apply(Document doc, StepContext ctx) {
                docs[0]++;
                bytes[0] += doc.text().length() + 1L;
                if ((docs[0] & 255) == 0) bytesRead.accept(bytes[0]);
                return doc;
            }
        });
        PipelineConfig config = new PipelineConfig(text, StepOptions.of("text"), List.of(text), "",
                List.of(StepOptions.of("tokenize", "tokenizer", tokenizerDir.toAbsolutePath().toString()), StepOptions.of("progress")));
        LocalExecutor executor = new LocalExecutor(config, registry, layout);
        LocalExecutor.TaskResult r;
        try {
            r = executor.isDone(0) ? LocalExecutor.finishedTasks(layout).getFirst() : executor.runTask(0);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(text + ": tokenizing failed: " + e.getMessage(), e);
        }
        bytesRead.accept(bytes[0]);
        Path shard = layout.output().resolve("tokens").resolve("default").resolve("task-00000.tokens");
        if (!Files.isRegularFile(shard)) {
            throw new IOException(text + ": no text found (the file has no non-blank line"
                    + (r.quarantined() > 0 ? "; " + r.quarantined() + " unreadable line(s) quarantined in " + layout.quarantine(0) : "") + ")");
        }
        return new Result(shard, documentsIn(r), r.quarantined(), layout.quarantine(0));
    }

    /** Documents that reached the tokenize step, from the task's recorded statistics. */
    private static long documentsIn(LocalExecutor.TaskResult r) {
        long n = 0;
        for (var step : r.steps()) {
            if (!"tokenize".equals(step.get("step"))) continue;
            if (step.get("domains") instanceof java.util.Map<?, ?> domains) {
                for (Object c : domains.values()) if (c instanceof java.util.Map<?, ?> m && m.get("in") instanceof Number in) n += in.longValue();
            }
        }
        return n;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
