package wanka.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import wanka.data.pipeline.LocalExecutor;
import wanka.data.pipeline.PipelineConfig;
import wanka.data.pipeline.Report;
import wanka.data.pipeline.RunLayout;
import wanka.data.pipeline.StepRegistry;
import wanka.data.steps.BuiltinSteps;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Run data pipelines: readers → cleaning/filtering/dedup steps → writers (JSONL, packed token shards), with a per-step, per-domain report.",
        subcommands = {DataCommand.Run.class, DataCommand.Steps.class})
final class DataCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Run a pipeline declared in a YAML/JSON file. One task per input file; finished tasks are recorded under <out>/work/done/,",
                    "so running the same command again resumes a killed run. Documents a step cannot process go to <out>/work/quarantine/ with the reason.",
                    "The report is written to <out>/report.md and <out>/report.html."},
            footer = {"", "Example config:",
                    "  input:", "    reader: jsonl          # jsonl | text | paragraphs", "    paths: [raw/*.jsonl]", "    domain: web",
                    "  steps:", "    - type: length_filter", "      min_chars: 200", "    - type: tokenize", "      tokenizer: tok/", "    - type: jsonl_writer"})
    static final class Run implements Callable<Integer> {
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
            StepRegistry registry = BuiltinSteps.registry();
            PipelineConfig cfg = PipelineConfig.read(config, registry);
            RunLayout layout = new RunLayout(out);
            LocalExecutor ex = new LocalExecutor(cfg, registry, layout);
            Integer only = task != null ? task : System.getenv("SLURM_ARRAY_TASK_ID") != null ? Integer.valueOf(System.getenv("SLURM_ARRAY_TASK_ID")) : null;
            if (only != null) {
                if (only < 0 || only >= ex.tasks()) throw new IllegalArgumentException("task " + only + " is outside [0, " + ex.tasks() + ") for " + config);
                if (ex.isDone(only)) System.err.println("task " + only + " already done");
                else ex.runTask(only);
                return 0;
            }
            int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
            long pending = java.util.stream.IntStream.range(0, ex.tasks()).filter(i -> !ex.isDone(i)).count();
            System.err.printf("%d tasks (%d to do) from %s%n", ex.tasks(), pending, config);
            List<LocalExecutor.TaskResult> results;
            try (ProgressBar bar = System.console() == null ? null : new ProgressBarBuilder().setTaskName("tasks").setInitialMax(pending)
                    .setStyle(ProgressBarStyle.ASCII).continuousUpdate().build()) {
                results = ex.run(t, i -> {
                    if (bar != null) bar.step();
                    else System.err.println("task " + i + " done");
                });
            }
            Report report = new Report(results);
            report.write(layout);
            System.err.println("report: " + layout.reportMarkdown() + " and " + layout.reportHtml() + "; output in " + layout.output());
            return 0;
        }
    }

    @Command(name = "steps", mixinStandardHelpOptions = true, description = "List the step types a pipeline config can use.")
    static final class Steps implements Runnable {
        @Override
        public void run() {
            BuiltinSteps.registry().types().forEach(System.out::println);
        }
    }
}
