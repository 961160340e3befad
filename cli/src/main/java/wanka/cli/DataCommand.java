package wanka.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import wanka.curate.pipeline.LocalExecutor;
import wanka.curate.pipeline.PipelineConfig;
import wanka.curate.pipeline.Report;
import wanka.curate.pipeline.RunLayout;
import wanka.curate.pipeline.StepRegistry;
import wanka.curate.steps.BuiltinSteps;
import wanka.io.AtomicFiles;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Run data pipelines: readers → cleaning/filtering/dedup steps → writers (JSONL, packed token shards), with a per-step, per-domain report.",
        subcommands = {DataCommand.Run.class, DataCommand.Slurm.class, DedupCommand.class, DataCommand.ReportCmd.class, DataCommand.Steps.class})
final class DataCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Run a pipeline declared in a YAML/JSON file. One task per input file; finished tasks are recorded under <out>/work/done/,",
                    "so running the same command again resumes a killed run. Documents a step cannot process go to <out>/work/quarantine/ with the reason,",
                    "and so does the damage of a cut or corrupt .gz input (the documents before it are kept). A task that fails does not stop the others:",
                    "its error goes to <out>/work/failed/, the report lists it, the command exits with 1, and running it again retries only failed tasks.",
                    "The report is written to <out>/report.md and <out>/report.html."},
            footer = {"", "Example config:",
                    "  input:", "    reader: jsonl          # jsonl | text | paragraphs | documents (PDF, Office)", "    paths: [raw/*.jsonl]", "    domain: web",
                    "  steps:", "    - type: length_filter", "      min_chars: 200", "    - type: tokenize", "      tokenizer: tok/", "    - type: jsonl_writer"})
    static final class Run implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "CONFIG", description = "Pipeline file (.yaml or .json).")
        Path config;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run directory (output/, work/, report.*).")
        Path out;

        @Option(names = "--threads", description = "Tasks run in parallel (default: all cores).")
        Integer threads;

        @Option(names = "--task", paramLabel = "I", description = "Run only task I (e.g. from a scheduler's array index; default: $SLURM_ARRAY_TASK_ID if set, else all).")
        Integer task;

        @Override
        public Integer call() throws Exception {
            OutDirs.require("--out", out);
            StepRegistry registry = BuiltinSteps.registry();
            PipelineConfig cfg = PipelineConfig.read(config, registry);
            RunLayout layout = new RunLayout(out);
            LocalExecutor ex = new LocalExecutor(cfg, registry, layout);
            java.io.PrintWriter err = spec.commandLine().getErr();
            Integer only = task != null ? task : System.getenv("SLURM_ARRAY_TASK_ID") != null ? Integer.valueOf(System.getenv("SLURM_ARRAY_TASK_ID")) : null;
            if (only != null) {
                if (only < 0 || only >= ex.tasks()) throw new IllegalArgumentException("task " + only + " is outside [0, " + ex.tasks() + ") for " + config);
                if (ex.isDone(only)) {
                    err.println("task " + only + " already done");
                    return 0;
                }
                try {
                    ex.runTask(only).damaged().forEach(d -> err.println("task " + only + ": " + d.describe()));
                } catch (Exception e) {
                    err.println("task " + only + " (" + cfg.inputs().get(only) + ") failed: " + Errors.message(e) + "; running it again retries it");
                    return 1;
                }
                return 0;
            }
            int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
            long pending = java.util.stream.IntStream.range(0, ex.tasks()).filter(i -> !ex.isDone(i)).count();
            err.printf("%d tasks (%d to do) from %s%n", ex.tasks(), pending, config);
            LocalExecutor.Outcome outcome;
            try (ProgressBar bar = System.console() == null ? null : new ProgressBarBuilder().setTaskName("tasks").setInitialMax(pending)
                    .setStyle(ProgressBarStyle.ASCII).continuousUpdate().build()) {
                outcome = ex.execute(t, i -> {
                    if (bar != null) bar.step();
                    else err.println("task " + i + " done");
                });
            }
            Report report = new Report(outcome.finished(), outcome.failed());
            report.write(layout);
            err.println(report.summary());
            err.println("report: " + layout.reportMarkdown() + " and " + layout.reportHtml() + "; output in " + layout.output());
            if (outcome.failed().isEmpty()) return 0;
            for (LocalExecutor.TaskFailure f : outcome.failed()) err.println("task " + f.task() + " (" + f.input() + ") failed: " + f.error());
            err.println(outcome.failed().size() + " of " + ex.tasks() + " tasks failed (errors under " + layout.failed(0).getParent()
                    + "); running the same command again retries only the failed tasks");
            return 1;
        }
    }

    @Command(name = "report", mixinStandardHelpOptions = true,
            description = "Write <out>/report.md and report.html from the finished and failed tasks of a run (e.g. after a Slurm array job).")
    static final class ReportCmd implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run directory.")
        Path out;

        @Override
        public Integer call() throws Exception {
            OutDirs.require("--out", out);
            RunLayout layout = new RunLayout(out);
            List<LocalExecutor.TaskResult> results = LocalExecutor.finishedTasks(layout);
            List<LocalExecutor.TaskFailure> failed = LocalExecutor.failedTasks(layout);
            if (results.isEmpty() && failed.isEmpty()) throw new IllegalArgumentException(out + ": no finished or failed tasks under work/");
            Report report = new Report(results, failed);
            report.write(layout);
            spec.commandLine().getErr().println(report.summary() + "; report: " + layout.reportMarkdown() + " and " + layout.reportHtml());
            return 0;
        }
    }

    @Command(name = "slurm", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Run a pipeline on Slurm: writes <out>/slurm/pipeline.sbatch, an array job with one Slurm task per pipeline task (each runs",
                    "`wanka data run CONFIG --out DIR`, which takes its index from SLURM_ARRAY_TASK_ID), and report.sbatch, which writes the report",
                    "once the array has finished (failed tasks included: the report lists them). With --submit it submits both (the report job depends on the array)."})
    static final class Slurm implements Callable<Integer> {
        @Parameters(paramLabel = "CONFIG", description = "Pipeline file (.yaml or .json).")
        Path config;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run directory, on storage every node sees.")
        Path out;

        @Option(names = "--partition", description = "Slurm partition (default: the cluster's default).")
        String partition;

        @Option(names = "--max-parallel", description = "At most this many array tasks at once (sbatch --array=...%%N).")
        Integer maxParallel;

        @Option(names = "--submit", description = "Submit with sbatch instead of only writing the scripts.")
        boolean submit;

        @Override
        public Integer call() throws Exception {
            OutDirs.require("--out", out);
            StepRegistry registry = BuiltinSteps.registry();
            PipelineConfig cfg = PipelineConfig.read(config, registry);
            int n = cfg.inputs().size();
            java.nio.file.Path dir = out.toAbsolutePath().resolve("slurm");
            String wanka = System.getProperty("wanka.home") != null ? Path.of(System.getProperty("wanka.home"), "bin", "wanka").toString() : "wanka";
            String head = "#!/usr/bin/env bash\n" + (partition != null ? "#SBATCH --partition=" + partition + "\n" : "");
            String array = head + "#SBATCH --job-name=wanka-data\n#SBATCH --array=0-" + (n - 1) + (maxParallel != null ? "%" + maxParallel : "") + "\n"
                    + "#SBATCH --output=" + dir.resolve("task-%a.log") + "\nset -euo pipefail\n"
                    + "exec " + wanka + " data run " + config.toAbsolutePath() + " --out " + out.toAbsolutePath() + "\n";
            String report = head + "#SBATCH --job-name=wanka-data-report\n#SBATCH --output=" + dir.resolve("report.log") + "\nset -euo pipefail\n"
                    + "exec " + wanka + " data report --out " + out.toAbsolutePath() + "\n";
            java.nio.file.Path a = dir.resolve("pipeline.sbatch"), r = dir.resolve("report.sbatch");
            AtomicFiles.write(a, array.getBytes(StandardCharsets.UTF_8));
            AtomicFiles.write(r, report.getBytes(StandardCharsets.UTF_8));
            System.err.printf("%d tasks; wrote %s and %s%n", n, a, r);
            if (submit) {
                String job = sbatch("--parsable", a.toString());
                String rep = sbatch("--parsable", "--dependency=afterany:" + job, r.toString());
                System.out.println(job + " " + rep);
                System.err.println("submitted array job " + job + " and report job " + rep + " (squeue to watch)");
            }
            return 0;
        }

        private static String sbatch(String... args) throws Exception {
            List<String> cmd = new java.util.ArrayList<>(List.of("sbatch"));
            cmd.addAll(List.of(args));
            Process p;
            try {
                p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot run sbatch (is Slurm installed and on PATH?): " + e.getMessage());
            }
            String outText = new String(p.getInputStream().readAllBytes()).strip();
            if (p.waitFor() != 0) throw new IllegalStateException("sbatch failed: " + outText);
            return outText.split(";")[0];
        }
    }

    @Command(name = "steps", mixinStandardHelpOptions = true, description = "List the readers and step types a pipeline config can use.")
    static final class Steps implements Runnable {
        @Override
        public void run() {
            var registry = BuiltinSteps.registry();
            int width = java.util.stream.Stream.concat(registry.types().stream(), registry.readers().stream()).mapToInt(String::length).max().orElse(0);
            System.out.println("Readers (input.reader):");
            for (String t : registry.readers()) System.out.printf("  %-" + width + "s  %s%n", t, registry.readerSummary(t));
            System.out.println();
            System.out.println("Steps (steps[].type):");
            for (String t : registry.types()) System.out.printf("  %-" + width + "s  %s%n", t, registry.summary(t));
            System.out.println();
            System.out.println("Reader options are keys of 'input'; step options are keys next to 'type' in a step's mapping; the report names every drop reason.");
        }
    }
}
