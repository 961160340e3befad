package wanka.curate.pipeline;

import java.nio.file.Path;

/**
 * Where a pipeline run keeps things: {@code output/} for what writers produce, {@code work/done/} for the
 * markers of finished tasks (with their statistics), {@code work/failed/} for the errors of tasks that did not
 * finish (a rerun retries them), {@code work/quarantine/} for documents that could not be processed, and the
 * report files at the top.
 */
public record RunLayout(Path root) {
    public Path output() {
        return root.resolve("output");
    }

    public Path done(int task) {
        return root.resolve("work/done").resolve(String.format("task-%05d.json", task));
    }

    public Path failed(int task) {
        return root.resolve("work/failed").resolve(String.format("task-%05d.json", task));
    }

    public Path quarantine(int task) {
        return root.resolve("work/quarantine").resolve(String.format("task-%05d.jsonl", task));
    }

    public Path reportMarkdown() {
        return root.resolve("report.md");
    }

    public Path reportHtml() {
        return root.resolve("report.html");
    }
}
