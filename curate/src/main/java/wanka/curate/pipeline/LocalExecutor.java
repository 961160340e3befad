package wanka.curate.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import wanka.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * Runs a pipeline's tasks (one per input file) on a thread pool. Each finished task leaves a marker with its
 * statistics under {@code work/done/}; a rerun skips marked tasks, so a killed run resumes losing at most the
 * tasks in flight. The same {@link #runTask} is what a Slurm array job runs for its own task index.
 */
public final class LocalExecutor {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What one finished task recorded. */
    public record TaskResult(int task, String input, double seconds, long bytes, long quarantined, List<Map<String, Object>> steps) {
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

    /** Runs every task that is not done yet on {@code threads} threads; {@code onTaskDone} gets each finished index. */
    public List<TaskResult> run(int threads, IntConsumer onTaskDone) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < tasks(); t++) {
                if (isDone(t)) continue;
                int task = t;
                futures.add(pool.submit(() -> {
                    runTask(task);
                    onTaskDone.accept(task);
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get();
        } finally {
            pool.shutdownNow();
        }
        List<TaskResult> all = new ArrayList<>();
        for (int t = 0; t < tasks(); t++) all.add(JSON.readValue(layout.done(t).toFile(), TaskResult.class));
        return all;
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

    /** Runs one task and writes its done marker (atomically). */
    public TaskResult runTask(int task) throws Exception {
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
            TaskResult r = new TaskResult(task, input.toString(), (System.nanoTime() - t0) / 1e9, Files.size(input), q.count(), steps2);
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
