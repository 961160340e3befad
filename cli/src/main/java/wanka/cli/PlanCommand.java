package wanka.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import wanka.plan.Calibration;
import wanka.plan.Cluster;
import wanka.plan.ClusterFile;
import wanka.plan.ClusterPresets;
import wanka.plan.CpuCalibration;
import wanka.plan.CpuRates;
import wanka.plan.Efficiency;
import wanka.plan.LayerProfile;
import wanka.plan.LayerProfiles;
import wanka.plan.Layout;
import wanka.plan.ModelPresets;
import wanka.plan.ModelSpec;
import wanka.plan.Plan;
import wanka.plan.HtmlReport;
import wanka.plan.PlanFiles;
import wanka.plan.PlanReport;
import wanka.plan.Precision;
import wanka.plan.Recompute;
import wanka.plan.RecomputeRequest;
import wanka.plan.Search;
import wanka.plan.ZeroStage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code wanka plan}: the DryRun — memory and step time of a layout, or a search for the best layouts, without running anything. */
@Command(name = "plan", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"DryRun: predict per-device memory and step time of a training layout on a cluster, or search for the",
                "fastest layouts that fit, in seconds on a laptop. TeleChat2 layers are costed by running the real model",
                "code on the META device; time constants are calibrated on published A100 runs (see BENCHMARKS.md).", ""},
        subcommands = {PlanCommand.Calibrate.class, PlanCommand.CalibrateCheck.class},
        footer = {"", "Examples:",
                "  wanka plan --model telechat2-115b --cluster 910b --nodes 64 --seq 8192 --global-batch 1024 --tp 8 --pp 8 --vpp 3",
                "  wanka plan --model telechat2-115b --cluster 910b --nodes 64 --seq 8192 --global-batch 1024 --search --top 5",
                "  wanka plan --model telechat2-1t --cluster 910b --nodes 1280 --seq 8192 --global-batch 2560 --search",
                "  wanka plan --model path/to/config.json --cluster h100 --nodes 4 --global-batch 256 --tp 8 --json",
                "  wanka plan --model telechat2-115b --cluster 910b --nodes 64 --global-batch 64 --tp 8 --pp 8 --vpp 3 --recompute auto \\",
                "             --memory-budget 40 --write-plan plan.json",
                "  wanka plan calibrate              (measure this machine into cluster-cpu.json for --cluster cluster-cpu.json)",
                "  wanka plan calibrate-check        (accuracy against vTrain's measured A100 runs)",
                "", "Models: " + "telechat2-3b/7b/35b/115b, telechat2-1t, gpt-1.7b … gpt-1008b, gpt-175b, llama3-8b/70b/405b, or a config.json",
                "Clusters: 910b, a100-40, a100-80, h100, or a file written by wanka plan calibrate"})
final class PlanCommand implements Callable<Integer> {
    @Option(names = "--model", description = "Model preset or a Hugging Face config.json (file or folder); required.")
    String model;

    @Option(names = "--cluster", defaultValue = "910b", description = "Node type, or a cluster file from 'wanka plan calibrate' (default: ${DEFAULT-VALUE}).")
    String cluster;

    @Option(names = "--nodes", defaultValue = "1", description = "Number of nodes (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--seq", defaultValue = "8192", description = "Tokens per sequence (default: ${DEFAULT-VALUE}).")
    int seq;

    @Option(names = "--global-batch", defaultValue = "1024", description = "Sequences per step (default: ${DEFAULT-VALUE}).")
    int globalBatch;

    @Option(names = "--tp", defaultValue = "1", description = "Tensor-parallel degree (default: ${DEFAULT-VALUE}).")
    int tp;

    @Option(names = "--pp", defaultValue = "1", description = "Pipeline stages (default: ${DEFAULT-VALUE}).")
    int pp;

    @Option(names = "--dp", description = "Data-parallel degree (default: devices / (tp·pp)).")
    Integer dp;

    @Option(names = "--vpp", defaultValue = "1", description = "Virtual stages per device; > 1 runs interleaved 1F1B (default: ${DEFAULT-VALUE}).")
    int vpp;

    @Option(names = "--micro-batch", defaultValue = "1", description = "Sequences per micro-batch (default: ${DEFAULT-VALUE}).")
    int microBatch;

    @Option(names = "--zero", defaultValue = "1", description = "ZeRO stage 0-3 (1 = distributed optimizer; default: ${DEFAULT-VALUE}).")
    int zero;

    @Option(names = "--sp", negatable = true, description = "Sequence parallelism (default: on when tp > 1).")
    Boolean sp;

    @Option(names = "--replicas", defaultValue = "1", description = "Multi-replica parallel: split each micro-batch so TP communication overlaps compute (default: ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--recompute", defaultValue = "selective", paramLabel = "MODE|auto|OPS",
            description = {"none, selective or full on every layer (default: ${DEFAULT-VALUE}); auto: choose per layer and op what to",
                    "recompute (or keep as a TP slice and regather) to fit --memory-budget with the least added time; or a list",
                    "of activations to recompute on every layer, each optionally :keep, :slice or :recompute, with auto to",
                    "optimise the rest (e.g. auto,mlp-act-out). Activations: layer-input, attn-norm-out, qkv, attn-scores,",
                    "attn-context, attn-residual, mlp-norm-out, mlp-fc1-out, mlp-act-out, dropout-masks."})
    String recompute;

    @Option(names = "--memory-budget", paramLabel = "GB", description = "Per-device memory budget in GB (1e9 bytes) for --recompute auto (default: the cluster's usable memory).")
    Double memoryBudget;

    @Option(names = "--html", paramLabel = "FILE", description = "Also write an HTML report with charts (memory per stage, pipeline timeline; with --search the frontier of step time against memory).")
    java.nio.file.Path html;

    @Option(names = "--write-plan", paramLabel = "FILE", description = "Write the plan file (layout and per-layer recompute choices, JSON; docs/formats.md) for a training run.")
    java.nio.file.Path writePlan;

    @Option(names = "--overlap-grad-reduce", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Overlap the data-parallel gradient reduction with backward (default: on).")
    boolean overlap;

    @Option(names = "--precision", paramLabel = "bf16|mixed16|fp32",
            description = {"Bytes per weight / gradient / optimizer state / activation: bf16 = 2/4/12/2 (Megatron's fp32 main gradients,",
                    "18 B/param), mixed16 = 2/2/12/2 (16 B/param), fp32 = 4/4/8/4 (wanka on the CPU: AdamW m and v, no master copy).",
                    "Default: the cluster's (presets bf16, a 'wanka plan calibrate' CPU profile fp32)."})
    String precision;

    @Option(names = "--fp32-grads", negatable = true,
            description = "Shorthand: --fp32-grads is --precision bf16, --no-fp32-grads is --precision mixed16.")
    Boolean fp32Grads;

    @Option(names = "--devices-per-node", paramLabel = "N",
            description = "Devices per node instead of the cluster's; for a CPU profile, the ranks of a run on this one machine (default: the cluster's).")
    Integer devicesPerNode;

    @Option(names = "--search", description = "Search layouts (tp, pp, dp, vpp, micro-batch, ZeRO, recompute) instead of costing one.")
    boolean search;

    @Option(names = "--top", defaultValue = "5", description = "Plans to show with --search (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (model == null) {
            throw new IllegalArgumentException("--model is required (a preset such as telechat2-115b, or a config.json); see wanka plan --help");
        }
        ModelSpec m = ModelPresets.resolve(model);
        Cluster c = ClusterPresets.get(cluster, nodes);
        if (devicesPerNode != null) {
            if (devicesPerNode < 1) throw new IllegalArgumentException("--devices-per-node must be at least 1, got " + devicesPerNode);
            c = c.withDevicesPerNode(devicesPerNode);
        }
        LayerProfile profile = LayerProfiles.of(m);
        int world = c.worldSize();
        int d = dp != null ? dp : Math.max(1, world / Math.max(1, tp * pp));
        boolean seqPar = sp != null ? sp : tp > 1 && c.stack() == wanka.plan.TrainingStack.MEGATRON;
        RecomputeRequest req = RecomputeRequest.parse(recompute);
        Recompute mode = req instanceof RecomputeRequest.Uniform u ? u.mode() : Recompute.NONE;
        Layout lay = new Layout(d, tp, pp, vpp, microBatch, globalBatch, seq, ZeroStage.of(zero), seqPar, replicas,
                mode, overlap, precision(c));
        if (memoryBudget != null && !(memoryBudget > 0)) throw new IllegalArgumentException("--memory-budget must be positive, got " + memoryBudget);
        double budget = memoryBudget != null ? memoryBudget * 1e9 : c.accelerator().usableBytes();
        if (!search) {
            Plan p = switch (req) {
                case RecomputeRequest.Uniform u -> {
                    Plan q = Plan.of(m, profile, c, lay);
                    yield new Plan(q.model(), q.cluster(), q.layout(), q.profile(), q.memory().withUsable(budget), q.time());
                }
                case RecomputeRequest.PerOp po -> Plan.optimized(m, profile, c, lay, budget, po.constraints());
            };
            System.out.print(json ? PlanReport.json(PlanReport.jsonTree(p)) + "\n" : PlanReport.text(p));
            if (writePlan != null) {
                PlanFiles.of(p).write(writePlan);
                System.err.println("wrote the plan to " + writePlan);
            }
            if (html != null) writeHtml(HtmlReport.plan(p));
            return 0;
        }
        if (req instanceof RecomputeRequest.PerOp) {
            throw new IllegalArgumentException("--search tries the uniform modes (none, selective, full); choose per-op recompute for one layout with --recompute auto");
        }
        Search.Result r = runSearch(m, profile, c, lay);
        if (writePlan != null && !r.best().isEmpty()) {
            PlanFiles.of(r.best().getFirst()).write(writePlan);
            System.err.println("wrote the best plan to " + writePlan);
        }
        String summary = String.format(Locale.ROOT, "Searched %s on %d × %s: %,d valid layouts, %,d of them fit memory, %,d simulated, %.2f s",
                m.name(), world, c.name(), r.candidates() + r.outOfMemory(), r.candidates(), r.evaluated(), r.seconds());
        if (html != null) writeHtml(HtmlReport.search(r, Search.points(m, profile, c, lay, 4000), summary));
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("candidates", r.candidates());
            o.put("outOfMemory", r.outOfMemory());
            o.put("evaluated", r.evaluated());
            o.put("seconds", r.seconds());
            List<Object> plans = new ArrayList<>();
            for (Plan p : r.best()) plans.add(PlanReport.jsonTree(p));
            o.put("best", plans);
            System.out.println(PlanReport.json(o));
            return 0;
        }
        System.out.println(summary + "\n");
        if (r.best().isEmpty()) {
            Plan small = Search.smallest(m, profile, c, lay);
            System.out.println(small == null ? "No valid layout: the model's heads, kv heads, ffn width and layers admit none on "
                    + world + " devices with global batch " + globalBatch + "."
                    : "No layout fits. The smallest, " + small.layout().describe() + ": "
                    + PlanReport.doesNotFit(small.memory(), false).replaceFirst("^Does not fit: ", "")
                    + "\nTry more nodes or a shorter sequence (--seq).");
            return 1;
        }
        System.out.printf(Locale.ROOT, "  %-3s %-44s %9s %6s %9s %9s%n", "#", "layout", "step (s)", "MFU", "tok/s/dev", "mem (GB)");
        int i = 1;
        for (Plan p : r.best()) {
            System.out.printf(Locale.ROOT, "  %-3d %-44s %9.2f %5.1f%% %9.0f %9.1f%n", i++, p.layout().describe(), p.time().total(),
                    100 * p.time().mfu(), p.time().tokensPerSecond() / world, p.memory().total() / 1e9);
        }
        System.out.println("\nBest layout in detail:\n");
        System.out.print(PlanReport.text(r.best().get(0)));
        return 0;
    }

    /** The precision of {@code --precision} / {@code --fp32-grads}, else the cluster's. */
    private Precision precision(Cluster c) {
        if (precision != null && fp32Grads != null) throw new IllegalArgumentException("give either --precision or --[no-]fp32-grads");
        if (fp32Grads != null) return fp32Grads ? Precision.BF16_FP32_GRADS : Precision.MIXED_16;
        if (precision == null) return c.precision();
        return switch (precision) {
            case "bf16" -> Precision.BF16_FP32_GRADS;
            case "mixed16" -> Precision.MIXED_16;
            case "fp32" -> Precision.FP32;
            default -> throw new IllegalArgumentException("--precision: unknown '" + precision + "'; known: bf16, mixed16, fp32");
        };
    }

    private void writeHtml(String page) throws java.io.IOException {
        Path parent = html.toAbsolutePath().getParent();
        if (parent != null) java.nio.file.Files.createDirectories(parent);
        java.nio.file.Files.writeString(html, page);
        System.err.println("wrote the HTML report to " + html);
    }

    private Search.Result runSearch(ModelSpec m, LayerProfile profile, Cluster c, Layout base) {
        boolean show = System.console() != null;
        ProgressBar[] bar = new ProgressBar[1];
        try {
            return Search.run(m, profile, c, base, top, n -> {
                if (!show) return;
                if (n < 0) {
                    bar[0] = new ProgressBarBuilder().setTaskName("search").setInitialMax(-n).setStyle(ProgressBarStyle.ASCII)
                            .setUnit(" layouts", 1).build();
                } else if (bar[0] != null) {
                    bar[0].stepTo(n);
                }
            });
        } finally {
            if (bar[0] != null) bar[0].close();
        }
    }

    /** {@code wanka plan calibrate}: this machine's CPU profile as a cluster file. */
    @Command(name = "calibrate", mixinStandardHelpOptions = true,
            description = {"Measure this machine with wanka's own kernels (GEMM GFLOP/s at a small TeleChat2 layer's shapes, an",
                    "attention-like shape and 1024³; copy bandwidth; SwiGLU's element-wise rate; the cost of a small kernel call;",
                    "threads and memory; an all-reduce between in-process ranks) and write them as a one-device cluster file for",
                    "'wanka plan --cluster FILE'. With --ranks N every probe runs on N ranks at once (per-rank rates when N ranks share",
                    "the machine). Then the per-shape rates the time model looks each op up by: GEMM on a grid of m, n, k for NT, NN",
                    "and TN, attention forward and backward by sequence length and head dimension, allocation, the optimizer pass, and",
                    "how far N ranks drift apart between two collectives. About 15–30 s with the default probe length."})
    static final class Calibrate implements Callable<Integer> {
        @Option(names = "--out", defaultValue = "cluster-cpu.json", description = "Cluster file to write (default: ${DEFAULT-VALUE}).")
        Path out;

        @Option(names = "--threads", description = "Threads (default: all processors).")
        Integer threads;

        @Option(names = "--seconds-per-probe", defaultValue = "0.8", description = "Seconds per probe; a calibration takes about 36 times this (default: ${DEFAULT-VALUE}).")
        double secondsPerProbe;

        @Option(names = "--ranks", defaultValue = "1", description = "Ranks measured at once, each with --threads threads: the rates a rank gets while "
                + "that many ranks run on this machine (default: ${DEFAULT-VALUE}). The link is an all-reduce between max(2, ranks) in-process ranks.")
        int ranks;

        @Override
        public Integer call() throws Exception {
            int n = threads != null ? threads : Runtime.getRuntime().availableProcessors();
            if (n < 1) throw new IllegalArgumentException("--threads must be at least 1, got " + n);
            if (!(secondsPerProbe > 0) || secondsPerProbe > 10) {
                throw new IllegalArgumentException("--seconds-per-probe must be in (0, 10], got " + secondsPerProbe);
            }
            if (ranks < 1) throw new IllegalArgumentException("--ranks must be at least 1, got " + ranks);
            System.out.printf(Locale.ROOT, "Measuring this machine with %d threads%s (about %.0f s) ...%n", n, ranks > 1 ? " per rank, " + ranks + " ranks at once" : "",
                    36 * secondsPerProbe + 2);
            CpuCalibration.Measurement x = CpuCalibration.measure(ranks, n, secondsPerProbe);
            for (CpuCalibration.GemmRate g : x.gemms()) {
                System.out.printf(Locale.ROOT, "  GEMM %s %5d×%5d×%5d  %8.1f GFLOP/s%n", g.op(), g.m(), g.n(), g.k(), g.flopsPerSecond() / 1e9);
            }
            System.out.printf(Locale.ROOT, "  copy bandwidth          %8.1f GB/s%n", x.copyBytesPerSecond() / 1e9);
            System.out.printf(Locale.ROOT, "  SwiGLU element-wise     %8.1f GB/s (%.2f G elements/s)%n", x.swigluBytesPerSecond() / 1e9,
                    x.swigluBytesPerSecond() / 12 / 1e9);
            System.out.printf(Locale.ROOT, "  small kernel call       %8.1f µs%n", x.kernelSeconds() * 1e6);
            System.out.printf(Locale.ROOT, "  in-process all-reduce   α %.1f µs, β %.1f GB/s (%d ranks)%n", x.allReduceLatency() * 1e6, x.allReduceBytesPerSecond() / 1e9,
                    Math.max(2, ranks));
            CpuRates r = x.rates();
            for (String form : new String[]{"NT", "NN", "TN"}) {
                var g = r.gemm().stream().filter(p -> p.form().equals(form)).mapToDouble(CpuRates.Gemm::flopsPerSecond).summaryStatistics();
                System.out.printf(Locale.ROOT, "  GEMM %s grid (%d shapes, m, n, k in 128..2048)  %.1f to %.1f GFLOP/s%n", form, g.getCount(), g.getMin() / 1e9, g.getMax() / 1e9);
            }
            for (CpuRates.Attention a : r.attention()) {
                System.out.printf(Locale.ROOT, "  attention s %4d head dim %3d  forward %6.1f, backward %6.1f GFLOP/s%n", a.seq(), a.headDim(),
                        a.forwardFlopsPerSecond() / 1e9, a.backwardFlopsPerSecond() / 1e9);
            }
            System.out.printf(Locale.ROOT, "  allocation and zeroing  %8.1f GB/s%n", r.allocationBytesPerSecond() / 1e9);
            System.out.printf(Locale.ROOT, "  optimizer pass          %8.1f M parameters/s (grad scale, norm, AdamW)%n", r.optimizerParamsPerSecond() / 1e6);
            for (CpuRates.Drift d : r.drift()) {
                System.out.printf(Locale.ROOT, "  wait at a collective    %8.1f µs after %.1f ms of compute (%d ranks at once)%n", d.waitSeconds() * 1e6, d.computeSeconds() * 1e3, ranks);
            }
            System.out.printf(Locale.ROOT, "  memory                  %8.1f GB physical, %.1f GB usable (JVM heap)%n", x.memoryBytes() / 1e9,
                    x.usableBytes() / 1e9);
            Cluster c = CpuCalibration.toCluster(x, ranks > 1 ? "cpu-" + ranks + "x" + n + "t" : "cpu-" + n + "t");
            ClusterFile.write(c, out);
            System.out.printf(Locale.ROOT, "Constants: %s%nMeasured in %.1f s; wrote %s — use it with: wanka plan --cluster %s ...%n",
                    c.efficiency(), x.seconds(), out, out);
            return 0;
        }
    }

    /** {@code wanka plan calibrate-check}: the time model's accuracy on measured runs. */
    @Command(name = "calibrate-check", mixinStandardHelpOptions = true,
            description = {"Step-time accuracy of the A100 constants on vTrain's 109 measured multi-node runs (declared split: even",
                    "rows fit, odd rows held out) and on the ten runs of Narayanan et al. 2021 Table 1."})
    static final class CalibrateCheck implements Callable<Integer> {
        @Option(names = "--refit", description = "Refit the constants on the fit split first (Nelder–Mead, ~10 s) and report with them.")
        boolean refit;

        @Option(names = "--rows", description = "Print every vTrain row.")
        boolean rows;

        @Override
        public Integer call() {
            List<Calibration.Run> runs = Calibration.vTrainMultiNode();
            Efficiency e = ClusterPresets.A100_FIT;
            if (refit) e = Calibration.fit(Calibration.fitSplit(runs), new Efficiency(0.8, 0.5, 0.7, 5e-6, 0.8, 0.8), 400);
            System.out.println("Constants: " + e);
            Calibration.Accuracy fit = Calibration.accuracy(Calibration.fitSplit(runs), e);
            Calibration.Accuracy held = Calibration.accuracy(Calibration.heldOut(runs), e);
            System.out.printf(Locale.ROOT, "vTrain multi-node, fit split   (%2d rows): MAPE %5.2f %%  Spearman %.3f  max error %5.1f %%%n",
                    fit.rows(), fit.mape(), fit.spearman(), fit.maxError());
            System.out.printf(Locale.ROOT, "vTrain multi-node, held out    (%2d rows): MAPE %5.2f %%  Spearman %.3f  max error %5.1f %%%n",
                    held.rows(), held.mape(), held.spearman(), held.maxError());
            System.out.println("(vTrain's own simulator: 14.73 % MAPE multi-node; Calculon: 3.65 % average on Korthikanti's runs.)");
            System.out.println("\nNarayanan et al. 2021 Table 1 (T derived from the published TFLOP/s by F96; best micro-batch of 1-8):");
            for (Calibration.PublishedRun r : Calibration.narayananTable1()) {
                double[] p = Calibration.predict(r, e);
                System.out.printf(Locale.ROOT, "  %-11s t%d p%-3d %5d GPUs  measured %7.2f s  predicted %7.2f s (b%d)  error %+5.1f %%%n",
                        r.model(), r.tp(), r.pp(), r.gpus(), r.seconds(), p[0], (int) p[1], 100 * (p[0] / r.seconds() - 1));
            }
            if (rows) {
                System.out.println("\nvTrain rows (F = fit split, H = held out):");
                for (Calibration.Run r : runs) {
                    double p = Calibration.predict(r, e);
                    System.out.printf(Locale.ROOT, "  %s %-28s measured %7.2f s  predicted %7.2f s  error %+6.1f %%%n",
                            r.inFitSplit() ? "F" : "H", r.describe(), r.seconds(), p, 100 * (p / r.seconds() - 1));
                }
            }
            return 0;
        }
    }
}
