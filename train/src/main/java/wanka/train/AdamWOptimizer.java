package wanka.train;

import wanka.model.ParamRole;
import wanka.model.TeleChat2;
import wanka.tensor.CpuDevice;
import wanka.tensor.Tensor;
import wanka.tensor.cpu.AdamW;
import wanka.tensor.cpu.CpuPool;
import wanka.tensor.cpu.RowOps;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW with PyTorch semantics (decoupled weight decay, bias correction). Weight decay is applied to the
 * parameters whose {@link ParamRole} {@linkplain ParamRole#decays() decays} — the matrices, not norms and biases —
 * as Megatron and TeleChat's trainers do.
 */
public final class AdamWOptimizer {
    /** Hyper-parameters. */
    public record Settings(double beta1, double beta2, double eps, double weightDecay) {
        public Settings {
            if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("AdamW beta1 must be in [0, 1), got " + beta1);
            if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("--beta2 must be in [0, 1), got " + beta2);
            if (!(eps > 0)) throw new IllegalArgumentException("AdamW eps must be > 0, got " + eps);
            if (!(weightDecay >= 0 && weightDecay < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("--weight-decay must be a finite number >= 0, got " + weightDecay);
            }
        }

        public static Settings telechat() {
            return new Settings(0.9, 0.95, 1e-8, 0.1);
        }
    }

    private final Map<String, Tensor> params;
    private final Map<String, ParamRole> roles;
    private final Map<String, float[]> expAvg = new LinkedHashMap<>();
    private final Map<String, float[]> expAvgSq = new LinkedHashMap<>();
    private final Settings settings;
    private final CpuPool pool;
    private final AdamW withDecay, noDecay;
    private long step;

    /** Optimizes every parameter of {@code model}, decaying by {@link TeleChat2#parameterRoles()}. */
    public AdamWOptimizer(TeleChat2 model, Settings settings, CpuDevice device) {
        this(model.parameters(), model.parameterRoles(), settings, device);
    }

    /**
     * @param params parameters by name
     * @param roles  the role of every parameter (more names are ignored)
     * @throws IllegalArgumentException if a parameter has no role
     */
    public AdamWOptimizer(Map<String, Tensor> params, Map<String, ParamRole> roles, Settings settings, CpuDevice device) {
        this.params = new LinkedHashMap<>(params);
        this.roles = new LinkedHashMap<>();
        for (String name : params.keySet()) {
            ParamRole role = roles.get(name);
            if (role == null) throw new IllegalArgumentException("parameter '" + name + "' has no role, so its weight decay is unknown");
            this.roles.put(name, role);
        }
        this.settings = settings;
        this.pool = device.pool();
        this.withDecay = new AdamW(settings.beta1(), settings.beta2(), settings.eps(), settings.weightDecay());
        this.noDecay = new AdamW(settings.beta1(), settings.beta2(), settings.eps(), 0);
        params.forEach((name, p) -> {
            expAvg.put(name, new float[(int) p.numel()]);
            expAvgSq.put(name, new float[(int) p.numel()]);
        });
    }

    /** Number of updates done. */
    public long stepCount() {
        return step;
    }

    /** Global L2 norm of all gradients (deterministic order). */
    public double gradNorm() {
        double sum = 0;
        for (Tensor p : params.values()) {
            Tensor g = p.grad();
            if (g != null) sum += RowOps.sumOfSquares(pool, g.data(), g.offset(), (int) g.numel());
        }
        return Math.sqrt(sum);
    }

    /** Multiplies every gradient by {@code s} (clipping, averaging over accumulation steps). */
    public void scaleGrads(float s) {
        for (Tensor p : params.values()) {
            Tensor g = p.grad();
            if (g != null) RowOps.scale(pool, g.data(), g.offset(), (int) g.numel(), s);
        }
    }

    /** One update with learning rate {@code lr}; parameters without a gradient are left alone. */
    public void step(double lr) {
        step++;
        for (var e : params.entrySet()) {
            Tensor p = e.getValue();
            Tensor g = p.grad();
            if (g == null) continue;
            AdamW rule = roles.get(e.getKey()).decays() ? withDecay : noDecay;
            rule.step(pool, lr, step, (int) p.numel(), p.data(), p.offset(), g.data(), g.offset(),
                    expAvg.get(e.getKey()), 0, expAvgSq.get(e.getKey()), 0);
        }
    }

    public void zeroGrad() {
        for (Tensor p : params.values()) p.zeroGrad();
    }

    /** Optimizer state for checkpoints: moments under {@code exp_avg.NAME} / {@code exp_avg_sq.NAME}. */
    public Map<String, float[]> state() {
        Map<String, float[]> m = new LinkedHashMap<>();
        expAvg.forEach((k, v) -> m.put("exp_avg." + k, v));
        expAvgSq.forEach((k, v) -> m.put("exp_avg_sq." + k, v));
        return m;
    }

    /** Restores moments and the step count saved by {@link #state()}. */
    public void load(Map<String, float[]> state, long stepCount) {
        for (String k : params.keySet()) {
            copy(state, "exp_avg." + k, expAvg.get(k));
            copy(state, "exp_avg_sq." + k, expAvgSq.get(k));
        }
        this.step = stepCount;
    }

    private static void copy(Map<String, float[]> state, String name, float[] dst) {
        float[] src = state.get(name);
        if (src == null) throw new IllegalArgumentException("optimizer state is missing tensor '" + name + "'");
        if (src.length != dst.length) throw new IllegalArgumentException("optimizer state tensor '" + name + "' has " + src.length + " values, expected " + dst.length);
        System.arraycopy(src, 0, dst, 0, dst.length);
    }
}
