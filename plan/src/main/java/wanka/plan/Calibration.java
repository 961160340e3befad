package wanka.plan;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Calibration of a cluster's {@link Efficiency} constants on measured runs, and the accuracy report.
 *
 * <p>Data: vTrain's 109 multi-node rows (§1G; Megatron-DeepSpeed on A100, 8 per node, GPT models with V = 51200,
 * s = 2048, full activation recomputation, 1F1B without interleaving, fp16), shipped as a resource with its MIT
 * licence. <b>Declared split:</b> the rows at even positions of the file (0, 2, 4, … counting data rows from 0)
 * are the fit split; the rows at odd positions are held out and never seen by {@link #fit}. The split is
 * deterministic and interleaves every model and layout family, so both halves cover the same sweep.
 *
 * <p>The fit minimises the mean absolute log error of step time over the fit split with Nelder–Mead on the log of
 * the six constants.
 */
public final class Calibration {
    private Calibration() {
    }

    /**
     * One measured run.
     *
     * @param index        position among the data rows of its file (0-based)
     * @param paramsB      parameters in billions as printed
     * @param gpus         devices
     * @param globalBatch  B
     * @param microBatch   b
     * @param hidden       h
     * @param heads        a
     * @param layers       l
     * @param seq          s
     * @param tp           t
     * @param dp           d
     * @param pp           p
     * @param seconds      measured iteration time
     */
    public record Run(int index, double paramsB, int gpus, int globalBatch, int microBatch, int hidden, int heads,
                      int layers, int seq, int tp, int dp, int pp, double seconds) {

        /** The Megatron GPT model of this run. */
        public ModelSpec model() {
            return ModelSpec.megatronGpt("gpt-" + paramsB + "b", layers, hidden, heads, ModelPresets.GPT_VOCAB, seq);
        }

        /** The layout of this run: full recompute, no ZeRO, fp16 with 16-bit gradients, no overlap, 1F1B. */
        public Layout layout() {
            return new Layout(dp, tp, pp, 1, microBatch, globalBatch, seq, ZeroStage.ZERO_0, false, 1, Recompute.FULL,
                    false, Precision.MIXED_16);
        }

        /** @return whether this row is in the declared fit split (even position) */
        public boolean inFitSplit() {
            return index % 2 == 0;
        }

        /** Short description for tables. */
        public String describe() {
            return paramsB + "B t" + tp + " d" + dp + " p" + pp + " b" + microBatch;
        }
    }

    /** vTrain's multi-node rows, in file order. */
    public static List<Run> vTrainMultiNode() {
        try (InputStream in = Calibration.class.getResourceAsStream("vtrain_ground_truth_multi.csv")) {
            if (in == null) throw new IllegalStateException("resource vtrain_ground_truth_multi.csv missing from the plan module");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<Run> runs = new ArrayList<>();
            r.readLine();
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) continue;
                String[] f = line.split(",");
                runs.add(new Run(runs.size(), Double.parseDouble(f[0]), i(f[1]), i(f[2]), i(f[3]), i(f[4]), i(f[5]), i(f[6]),
                        i(f[7]), i(f[8]), i(f[9]), i(f[10]), Double.parseDouble(f[11]) / 1000));
            }
            return runs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int i(String s) {
        return Integer.parseInt(s.trim());
    }

    /** Predicted step seconds of a run on A100 80 GB nodes with the given constants. */
    public static double predict(Run run, Efficiency e) {
        ModelSpec m = run.model();
        Cluster c = ClusterPresets.get("a100-80", run.gpus() / 8).withEfficiency(e, "calibration");
        return TimeModel.estimate(m, LayerProfile.closedForm(m), c, run.layout()).total();
    }

    /** Mean absolute percentage error of predictions against measurements, in percent. */
    public static double mape(double[] predicted, double[] measured) {
        double s = 0;
        for (int i = 0; i < predicted.length; i++) s += Math.abs(predicted[i] - measured[i]) / measured[i];
        return 100 * s / predicted.length;
    }

    /** Spearman rank correlation (average ranks for ties). */
    public static double spearman(double[] x, double[] y) {
        double[] rx = ranks(x), ry = ranks(y);
        double mx = Arrays.stream(rx).average().orElse(0), my = Arrays.stream(ry).average().orElse(0);
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (rx[i] - mx) * (ry[i] - my);
            sxx += (rx[i] - mx) * (rx[i] - mx);
            syy += (ry[i] - my) * (ry[i] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }

    static double[] ranks(double[] v) {
        Integer[] idx = new Integer[v.length];
        for (int i = 0; i < v.length; i++) idx[i] = i;
        Arrays.sort(idx, (a, b) -> Double.compare(v[a], v[b]));
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; ) {
            int j = i;
            while (j + 1 < v.length && v[idx[j + 1]] == v[idx[i]]) j++;
            double avg = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) r[idx[k]] = avg;
            i = j + 1;
        }
        return r;
    }

    /** Accuracy on a set of runs. */
    public record Accuracy(int rows, double mape, double spearman, double maxError) {
    }

    /** MAPE, Spearman and the largest error of {@code e} on {@code runs}. */
    public static Accuracy accuracy(List<Run> runs, Efficiency e) {
        double[] p = new double[runs.size()], y = new double[runs.size()];
        double max = 0;
        for (int i = 0; i < runs.size(); i++) {
            p[i] = predict(runs.get(i), e);
            y[i] = runs.get(i).seconds();
            max = Math.max(max, Math.abs(p[i] - y[i]) / y[i] * 100);
        }
        return new Accuracy(runs.size(), mape(p, y), spearman(p, y), max);
    }

    /** Fits the constants on {@code runs} from {@code start} (Nelder–Mead, mean absolute log error). */
    public static Efficiency fit(List<Run> runs, Efficiency start, int iterations) {
        ToDoubleFunction<double[]> loss = logs -> {
            double[] v = new double[logs.length];
            for (int i = 0; i < v.length; i++) v[i] = Math.exp(logs[i]);
            Efficiency e;
            try {
                e = Efficiency.fromArray(v);
            } catch (IllegalArgumentException ex) {
                return Double.MAX_VALUE;
            }
            double s = 0;
            for (Run r : runs) s += Math.abs(Math.log(predict(r, e) / r.seconds()));
            return s / runs.size();
        };
        double[] x0 = start.toArray();
        for (int i = 0; i < x0.length; i++) x0[i] = Math.log(x0[i]);
        double[] best = NelderMead.minimize(loss, x0, 0.3, iterations);
        double[] v = new double[best.length];
        for (int i = 0; i < v.length; i++) v[i] = Math.exp(best[i]);
        return Efficiency.fromArray(v);
    }

    /**
     * A row of Narayanan et al. 2021 Table 1 (§1A): A100 80 GB, fp16, V 51200, s 2048, full recomputation; the
     * step time is derived from the published TFLOP/s by F96 (the table has no micro-batch or interleaving).
     *
     * @param model   the preset name
     * @param tp      t
     * @param pp      p
     * @param gpus    devices
     * @param batch   B
     * @param seconds the derived iteration time T [D]
     */
    public record PublishedRun(String model, int tp, int pp, int gpus, int batch, double seconds) {
    }

    /** The ten rows of §1A. */
    public static List<PublishedRun> narayananTable1() {
        return List.of(new PublishedRun("gpt-1.7b", 1, 1, 32, 512, 3.53), new PublishedRun("gpt-3.6b", 2, 1, 64, 512, 3.70),
                new PublishedRun("gpt-7.5b", 4, 1, 128, 512, 3.70), new PublishedRun("gpt-18.4b", 8, 1, 256, 1024, 9.40),
                new PublishedRun("gpt-39.1b", 8, 2, 512, 1536, 14.45), new PublishedRun("gpt-76.1b", 8, 4, 1024, 1792, 16.06),
                new PublishedRun("gpt-145.6b", 8, 8, 1536, 2304, 24.82), new PublishedRun("gpt-310.1b", 8, 16, 1920, 2160, 37.61),
                new PublishedRun("gpt-529.6b", 8, 35, 2520, 2520, 54.08), new PublishedRun("gpt-1008b", 8, 64, 3072, 3072, 102.63));
    }

    /**
     * The predicted step time of a §1A row: the fastest micro-batch of 1, 2, 4 or 8 that divides the batch and fits
     * 80 GB (the authors tuned it; the table does not give it), plain 1F1B, full recompute, fp16.
     *
     * @return {seconds, micro-batch}
     */
    public static double[] predict(PublishedRun r, Efficiency e) {
        ModelSpec m = ModelPresets.get(r.model());
        Cluster c = ClusterPresets.get("a100-80", r.gpus() / 8).withEfficiency(e, "calibration");
        int d = r.gpus() / (r.tp() * r.pp());
        double best = Double.MAX_VALUE, bestB = 0;
        for (int b : new int[]{1, 2, 4, 8}) {
            Layout lay = new Layout(d, r.tp(), r.pp(), 1, b, r.batch(), ModelPresets.GPT_SEQ, ZeroStage.ZERO_0, false, 1,
                    Recompute.FULL, false, Precision.MIXED_16);
            if (!lay.problems(m, c).isEmpty() || !MemoryModel.estimate(m, c, lay).fits()) continue;
            double t = TimeModel.estimate(m, LayerProfile.closedForm(m), c, lay).total();
            if (t < best) {
                best = t;
                bestB = b;
            }
        }
        return new double[]{best, bestB};
    }

    /** The fit split of {@code runs}. */
    public static List<Run> fitSplit(List<Run> runs) {
        return runs.stream().filter(Run::inFitSplit).toList();
    }

    /** The held-out rows of {@code runs}. */
    public static List<Run> heldOut(List<Run> runs) {
        return runs.stream().filter(r -> !r.inFitSplit()).toList();
    }
}
