package wanka.curate.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import wanka.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * Runs a pipeline's tasks (one per input file) on a thread pool. Each finished task leaves a marker with its
 * statistics under {@code work/done/}; a rerun skips marked tasks, so a killed run resumes losing at most the
 * tasks in flight. A task that fails leaves its error under {@code work/failed/} instead, the other tasks go on,
 * and a rerun retries only the failed (and unfinished) tasks. The same {@link #runTask} is what a Slurm array job
 * runs for its own task index.
 */
public final class LocalExecutor {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What one finished task recorded; {@code damaged}: its input could be read only up to some point. */
    public record TaskResult(int task, String input, double seconds, long bytes, long quarantined, List<Map<String, Object>> steps,
                             List<Quarantine.Damage> damaged) {
        public TaskResult {
            damaged = damaged == null ? List.of() : List.copyOf(damaged); // markers from before damage was recorded have none
        }
    }

    /** A task that did not finish: its input, the error in one line, and the stack trace (for the curious, in the marker). */
    public record TaskFailure(int task, String input, String error, String trace) {
    }

    /** Every task of a run that finished (in this call or before) and every task that failed in this call, in task order. */
    public record Outcome(List<TaskResult> finished, List<TaskFailure> failed) {
    }

    private final PipelineConfig config;
    private final StepRegistry registry;
    private final RunLayout layout;

    public LocalExecutor(PipelineConfig config, StepRegistry registry, RunLayout layout) {
        this.config = config;
        this.registry = registry;
        this.layout = layout;
    }

    public int tasks() {
        return config.inputs().size();
    }

    public boolean isDone(int task) {
        return Files.isRegularFile(layout.done(task));
    }

    /**
     * Runs every task that is not done yet on {@code threads} threads; {@code onTaskDone} gets each finished index.
     * Throws, after all tasks have run, if any failed; {@link #execute} returns the failures instead.
     */
    public List<TaskResult> run(int threads, IntConsumer onTaskDone) throws Exception {
        Outcome o = execute(threads, onTaskDone);
        if (!o.failed().isEmpty()) {
            TaskFailure f = o.failed().getFirst();
            throw new IOException(o.failed().size() + " of " + tasks() + " tasks failed; the first: task " + f.task() + " (" + f.input() + "): " + f.error());
        }
        return o.finished();
    }

    /** Runs every task that is not done yet on {@code threads} threads, each to its end or its failure; {@code onTaskDone} gets each finished index. */
    public Outcome execute(int threads, IntConsumer onTaskDone) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        List<TaskFailure> failed = new ArrayList<>();
        try {
            Map<Integer, Future<?>> futures = new LinkedHashMap<>();
            for (int t = 0; t < tasks(); t++) {
                if (isDone(t)) continue;
                int task = t;
                futures.put(task, pool.submit(() -> {
                    runTask(task);
                    onTaskDone.accept(task);
                    return null;
                }));
            }
            for (var f : futures.entrySet()) {
                try {
                    f.getValue().get();
                } catch (ExecutionException e) {
                    failed.add(failure(f.getKey(), e.getCause()));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        List<TaskResult> finished = new ArrayList<>();
        for (int t = 0; t < tasks(); t++) if (isDone(t)) finished.add(JSON.readValue(layout.done(t).toFile(), TaskResult.class));
        return new Outcome(finished, failed);
    }

    /** The results of every finished task of a run, in task order (for reports after a distributed run). */
    public static List<TaskResult> finishedTasks(RunLayout layout) throws IOException {
        Path dir = layout.done(0).getParent();
        if (!Files.isDirectory(dir)) return List.of();
        List<TaskResult> all = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().matches("task-\\d+\\.json")).sorted().toList()) {
                all.add(JSON.readValue(p.toFile(), TaskResult.class));
            }
        }
        return all;
    }

    /** The failures recorded under {@code work/failed/} of tasks that have not finished since, in task order. */
    public static List<TaskFailure> failedTasks(RunLayout layout) throws IOException {
        Path dir = layout.failed(0).getParent();
        if (!Files.isDirectory(dir)) return List.of();
        List<TaskFailure> all = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().matches("task-\\d+\\.json")).sorted().toList()) {
                TaskFailure f = JSON.readValue(p.toFile(), TaskFailure.class);
                if (!Files.isRegularFile(layout.done(f.task()))) all.add(f);
            }
        }
        return all;
    }

    /**
     * Runs one task and writes its done marker (atomically). If it fails, its error goes to {@code work/failed/} (so
     * that the report names it) and is thrown; once it finishes, that record is removed.
     */
    public TaskResult runTask(int task) throws Exception {
        try {
            TaskResult r = attempt(task);
            Files.deleteIfExists(layout.failed(task));
            return r;
        } catch (Exception | Error e) {
            try {
                AtomicFiles.write(layout.failed(task), JSON.writeValueAsBytes(failure(task, e)));
            } catch (IOException w) {
                e.addSuppressed(w);
            }
            throw e;
        }
    }

    private TaskFailure failure(int task, Throwable e) {
        java.io.StringWriter trace = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(trace));
        return new TaskFailure(task, config.inputs().get(task).toString(), describe(e), trace.toString());
    }

    /** An error in one line: the message, after the exception's name unless it is a plain IOException (whose message says it all). */
    static String describe(Throwable e) {
        if (e instanceof NoSuchFileException n) return "no such file: " + n.getFile();
        String m = e.getMessage() == null ? "" : e.getMessage().strip().replace('\n', ' ');
        if (m.isEmpty()) return e.getClass().getSimpleName();
        return e.getClass() == IOException.class ? m : e.getClass().getSimpleName() + ": " + m;
    }

    private TaskResult attempt(int task) throws Exception {
        Path input = config.inputs().get(task);
        long t0 = System.nanoTime();
        List<Step> steps = new ArrayList<>();
        try (Quarantine q = new Quarantine(layout.quarantine(task))) {
            for (StepOptions o : config.steps()) steps.add(registry.create(o, layout, task));
            TaskRunner runner = new TaskRunner(steps, q, task);
            String domain = config.defaultDomain();
            IOException[] failure = {null};
            registry.reader(config.reader()).read(input, doc -> {
                if (failure[0] != null) return;
                try {
                    runner.accept(domain.isEmpty() || !doc.domain().isEmpty() ? doc : doc.with(Document.DOMAIN, domain));
                } catch (IOException e) {
                    failure[0] = e;
                }
            }, q);
            if (failure[0] != null) throw failure[0];
            List<StepStats> stats = runner.finish();
            List<Map<String, Object>> steps2 = new ArrayList<>();
            for (StepStats s : stats) steps2.add(toMap(s));
            TaskResult r = new TaskResult(task, input.toString(), (System.nanoTime() - t0) / 1e9, Files.size(input), q.count(), steps2, q.damaged());
            AtomicFiles.write(layout.done(task), JSON.writeValueAsBytes(r));
            return r;
        } finally {
            for (Step s : steps) s.close();
        }
    }

    static Map<String, Object> toMap(StepStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", s.step());
        m.put("seconds", s.nanos() / 1e9);
        Map<String, Object> domains = new LinkedHashMap<>();
        s.byDomain().forEach((d, c) -> domains.put(d, Map.of("in", c.in, "kept", c.kept, "changed", c.changed, "dropped", c.dropped,
                "quarantined", c.quarantined, "chars_in", c.charsIn, "chars_out", c.charsOut)));
        m.put("domains", domains);
        m.put("drop_reasons", s.dropReasons());
        m.put("counters", s.counters());
        return m;
    }
}
