package wanka.plan;

/**
 * Step time of a layout: per-layer work from a {@link LayerProfile} priced by the roofline of {@link Work#seconds},
 * tensor-parallel collectives per layer (§2.6) on the TP group's links, per-stage pass durations fed to the
 * {@link PipelineSim} (1F1B or interleaved), then the data-parallel gradient reduction (overlapped with the last
 * backward when the layout says so) and the optimizer update.
 *
 * <p>Placement follows Megatron's rank order (TP fastest, then DP, then PP): the TP group is t consecutive devices,
 * the DP group has stride t, pipeline neighbours are t·d devices apart and talk between nodes once t·d reaches a
 * node. Pipeline transfers use scatter/gather: each TP rank sends b·s·h/t and the receivers all-gather.
 */
public final class TimeModel {
    private TimeModel() {
    }

    /** Estimates one step. The layout must be valid for the model and cluster. */
    public static StepTime estimate(ModelSpec m, LayerProfile prof, Cluster c, Layout lay) {
        return estimate(m, prof, c, lay, null);
    }

    /**
     * Estimates one step with a per-op recompute plan (F5): {@code recomputePerStage[vs]} is the backward time one
     * micro-batch adds to virtual stage vs by recomputing and regathering (see {@link RecomputePrices}), on top of
     * the layout's own recompute mode (normally none); {@code null} adds nothing.
     */
    public static StepTime estimate(ModelSpec m, LayerProfile prof, Cluster c, Layout lay, double[] recomputePerStage) {
        return run(m, prof, c, lay, recomputePerStage, false).time();
    }

    /**
     * A step and how it ran: the pipeline simulation with every pass, the point-to-point transfer time, the
     * recomputation inside one backward pass of each virtual stage, and per device the exposed data-parallel
     * communication and the optimizer update that follow its last backward.
     */
    public record Timeline(StepTime time, PipelineSim.Result sim, double p2p, double[] recompute, double[] dpExposed,
                           double[] optimizer, Breakdown breakdown) {
    }

    /**
     * One step of the critical device (pipeline stage {@code stage}) by op class, in seconds: the layers' matrix
     * multiplies, their attention, element-wise ops and norms (with the embedding), the LM head and loss, allocation and
     * zeroing of tensors (measured CPU rates only), per-kernel overhead, recomputation, exposed TP communication, pipeline
     * waits (bubble and transfers), exposed DP communication and the optimizer. They add up to {@code total}.
     */
    public record Breakdown(int stage, double matmul, double attention, double elementwise, double loss, double allocation,
                            double overhead, double recompute, double tpComm, double ppWait, double dpComm, double optimizer,
                            double total) {
    }

    /** The critical device's step by op class ({@link Breakdown}). */
    public static Breakdown breakdown(ModelSpec m, LayerProfile prof, Cluster c, Layout lay) {
        return run(m, prof, c, lay, null, false).breakdown();
    }

    /** {@link #estimate} with its timeline (for the HTML report). */
    public static Timeline timeline(ModelSpec m, LayerProfile prof, Cluster c, Layout lay, double[] recomputePerStage) {
        return run(m, prof, c, lay, recomputePerStage, true);
    }

    private static Timeline run(ModelSpec m, LayerProfile prof, Cluster c, Layout lay, double[] recomputePerStage,
                                boolean record) {
        c = c.computingIn(lay.precision());
        int t = lay.tp(), p = lay.pp(), v = lay.vpp(), d = lay.dp(), dpn = c.devicesPerNode();
        int mb = lay.microBatches();
        int r = lay.replicas();
        long b = lay.microBatch(), s = lay.seq();
        boolean sp = lay.sequenceParallel();
        Precision pr = lay.precision();
        Group tpGroup = Group.strided(t, 1, dpn);
        Group dpGroup = Group.strided(d, t, dpn);
        double act = pr.activationBytes();
        double sbh = (double) b * s * m.hidden() * act;

        // One layer, one micro-batch (the r replicas each run b/r sequences).
        long br = b / r;
        OpPricing px = OpPricing.of(m, prof, c, pr);
        Work.Seconds sf = px.layerForward(br, s, t, sp).times(r), sb = px.layerBackward(br, s, t, sp).times(r);
        Work.Seconds sr = px.recompute(lay.recompute(), br, s, t, sp).times(r);
        // With measured CPU rates, a blocking collective after compute c also costs the measured wait after c: the time a
        // rank waits for ranks that computed the same work more slowly (sharing the machine's cores).
        CpuRates rates = c.rates();
        java.util.function.DoubleUnaryOperator waitAfter = x -> rates == null ? 0 : rates.waitAfter(x);
        double ar = t > 1 ? Collectives.allReduce(sbh, tpGroup, c) : 0;
        double tpF = 2 * ar, tpB = 2 * ar, tpR = lay.recompute() instanceof Recompute.Full ? 2 * ar : 0;
        if (t > 1) { // each half of a pass's compute ends at one of its two all-reduces
            tpF += 2 * waitAfter.applyAsDouble(sf.total() / 2);
            tpB += 2 * waitAfter.applyAsDouble((sb.total() + sr.total()) / 2);
        }
        double zero3 = 0;
        if (lay.zero() == ZeroStage.ZERO_3 && d > 1) {
            zero3 = Collectives.reduceScatter((double) m.layerParameters() / t * pr.paramBytes(), dpGroup, c);
        }
        // ZeRO-3 gathers a layer's weights before its forward and its backward and reduce-scatters its gradients
        // after its backward, prefetched behind compute.
        double layerF = overlapped(sf.total(), tpF, r, zero3);
        double layerB = overlapped(sb.total() + sr.total(), tpB + tpR, r, 2 * zero3);

        // Embedding (first virtual stage) and LM head + loss (last virtual stage), 16-bit, vocab split over TP.
        double tokens = (double) b * s;
        Work.Seconds embF = px.embedding(tokens, false), embB = px.embedding(tokens, true);
        Work.Seconds headF = px.head(tokens, t, false), headB = px.head(tokens, t, true);
        double extraAr = t > 1 ? ar : 0;
        // wanka's vocabulary-parallel loss: a max and a sum all-reduce of one float per token (measured profiles only)
        double lossAr = t > 1 && c.rates() != null ? 2 * Collectives.allReduce(tokens * 4, tpGroup, c) + waitAfter.applyAsDouble(headF.total()) : 0;

        int stages = p * v;
        double[] fwd = new double[stages], bwd = new double[stages];
        Work.Seconds[] compF = new Work.Seconds[stages], compB = new Work.Seconds[stages];
        double[] rec = new double[stages], tpExposed = new double[stages], ppDrift = new double[stages];
        for (int vs = 0; vs < stages; vs++) {
            int layers = PipelineSchedule.layersOf(m.layers(), stages, vs);
            Work.Seconds cf = sf.times(layers), cb = sb.times(layers);
            double f = layers * layerF, bw = layers * layerB;
            double tpE = layers * (layerF - sf.total()) + layers * (layerB - sb.total() - sr.total());
            if (vs == 0) {
                cf = cf.plus(embF);
                cb = cb.plus(embB);
                f += embF.total() + extraAr;
                bw += embB.total();
                tpE += extraAr;
            }
            if (vs == stages - 1) {
                cf = cf.plus(headF);
                cb = cb.plus(headB);
                f += headF.total() + lossAr;
                bw += headB.total() + extraAr;
                tpE += extraAr + lossAr;
            }
            double planned = recomputePerStage == null ? 0 : recomputePerStage[vs];
            fwd[vs] = f;
            bwd[vs] = bw + planned;
            compF[vs] = cf;
            compB[vs] = cb;
            rec[vs] = layers * sr.total() + planned;
            tpExposed[vs] = tpE;
            if (p > 1) { // a pipeline pass ends at a transfer that waits for the neighbour that computed more slowly
                double df = waitAfter.applyAsDouble(f), db = waitAfter.applyAsDouble(bw + planned);
                fwd[vs] += df;
                bwd[vs] += db;
                ppDrift[vs] = df + db;
            }
        }
        double p2p = 0;
        if (p > 1) {
            boolean inter = (long) t * d >= dpn || (long) t * d * p > dpn;
            p2p = Collectives.sendRecv(sbh / (t > 1 ? t : 1), inter, c);
            if (t > 1) p2p += Collectives.reduceScatter(sbh, tpGroup, c);
        }
        PipelineSim.Result sim = PipelineSim.run(p, v, mb, fwd, bwd, p2p, record);

        // Per device: data-parallel reduction and optimizer after its last backward; the step ends with the slowest.
        int crit = 0;
        double best = -1, critDp = 0, critOpt = 0;
        double[] dpExposed = new double[p], optimizer = new double[p];
        for (int dev = 0; dev < p; dev++) {
            double psi = MemoryModel.parametersOnDevice(m, t, p, v, dev);
            double dpT = dataParallelTime(psi, pr, lay.zero(), dpGroup, c);
            double exposed = dpT;
            if (lay.zero() == ZeroStage.ZERO_3) {
                exposed = dpT / ActivationMemory.layersPerDevice(m, p, v); // per layer in backward; the last one shows
            } else if (lay.overlapGradReduce() && dpT > 0) {
                int layersHere = ActivationMemory.layersPerDevice(m, p, v);
                double lastB = bwd[dev];
                exposed = Math.max(dpT / layersHere, dpT - lastB * (1 - 1.0 / layersHere));
            }
            double shard = psi / (lay.zero().ordinal() >= 1 ? d : 1);
            double opt = px.optimizer(shard);
            // the gradient reduction waits for the data-parallel peers' drift over the whole step's compute
            if (c.rates() != null) exposed += endOfStep(lay, tpGroup, dpGroup, c) + (d > 1 ? waitAfter.applyAsDouble(sim.busy()[dev]) : 0);
            dpExposed[dev] = exposed;
            optimizer[dev] = opt;
            double end = sim.finish()[dev] + exposed + opt;
            if (end > best) {
                best = end;
                crit = dev;
                critDp = exposed;
                critOpt = opt;
            }
        }
        Work.Seconds comp = Work.Seconds.ZERO;
        double recompute = 0, tpE = 0;
        for (int chunk = 0; chunk < v; chunk++) {
            int vs = chunk * p + crit;
            comp = comp.plus(compF[vs].plus(compB[vs]).times(mb));
            recompute += rec[vs] * mb;
            tpE += tpExposed[vs] * mb;
        }
        double bubble = sim.finish()[crit] - sim.busy()[crit];
        for (int chunk = 0; chunk < v; chunk++) bubble += ppDrift[chunk * p + crit] * mb; // waiting, though inside the passes
        double total = sim.finish()[crit] + critDp + critOpt;
        double modelFlops = modelFlops(m, lay.globalBatch(), s);
        double hw = hardwareFlops(m, prof, lay);
        double mfu = modelFlops / (total * c.worldSize() * c.accelerator().peak16());
        StepTime st = new StepTime(comp.matmul(), comp.attention(), comp.memory() + comp.allocation(), comp.overhead(), recompute, tpE, bubble,
                critDp, critOpt, modelFlops, hw, mfu, (double) lay.globalBatch() * s / total);
        // The critical device's op classes per step, the LM head and loss and the embedding apart from the layers'.
        Work.Seconds headPart = Work.Seconds.ZERO, embPart = Work.Seconds.ZERO;
        for (int chunk = 0; chunk < v; chunk++) {
            int vs = chunk * p + crit;
            if (vs == stages - 1) headPart = headPart.plus(headF.plus(headB).times(mb));
            if (vs == 0) embPart = embPart.plus(embF.plus(embB).times(mb));
        }
        Work.Seconds layers = comp.plus(headPart.times(-1)).plus(embPart.times(-1));
        Breakdown bd = new Breakdown(crit, layers.matmul(), layers.attention(), layers.memory() + embPart.memory(), headPart.total(),
                comp.allocation(), layers.overhead() + embPart.overhead(), recompute, tpE, bubble, critDp, critOpt, total);
        return new Timeline(st, sim, p2p, rec, dpExposed, optimizer, bd);
    }

    /**
     * Time of a layer pass of compute c and exposed-able communication k: serial (c + k) with one replica; with r
     * replicas each part's communication overlaps the next part's compute: c/r + (r−1)·max(c, k)/r + k/r. ZeRO-3's
     * prefetched weight gather g overlaps compute: max(…, g).
     */
    static double overlapped(double c, double k, int r, double g) {
        double t = r == 1 ? c + k : c / r + (r - 1) * Math.max(c, k) / r + k / r;
        return Math.max(t, g);
    }

    /**
     * wanka's small blocking all-reduces after the last backward (measured profiles only): the gradient norm's sum of
     * squares over tp, pp and, with ZeRO, dp; the loss over pp and dp; each one float.
     */
    static double endOfStep(Layout lay, Group tpGroup, Group dpGroup, Cluster c) {
        double t = 0;
        Group ppGroup = Group.strided(lay.pp(), lay.tp() * lay.dp(), c.devicesPerNode());
        for (Group g : new Group[]{tpGroup, ppGroup, lay.zero() != ZeroStage.ZERO_0 ? dpGroup : Group.strided(1, 1, c.devicesPerNode()), ppGroup, dpGroup}) {
            if (g.size() > 1) t += Collectives.allReduce(8, g, c);
        }
        return t;
    }

    /** Data-parallel communication per step: all-reduce (ZeRO-0), reduce-scatter + all-gather (1/2), plus a gather (3). */
    static double dataParallelTime(double psi, Precision pr, ZeroStage z, Group g, Cluster c) {
        if (g.size() == 1) return 0;
        return switch (z) {
            case ZERO_0 -> Collectives.allReduce(psi * pr.gradBytes(), g, c);
            case ZERO_1, ZERO_2 -> Collectives.reduceScatter(psi * pr.gradBytes(), g, c)
                    + Collectives.reduceScatter(psi * pr.paramBytes(), g, c);
            case ZERO_3 -> Collectives.reduceScatter(psi * pr.gradBytes(), g, c);
        };
    }

    /**
     * Model FLOPs of one step (§2.2, Megatron 2024 definition): 3 × forward, forward = per token 2 × matrix
     * parameters per layer + 4·s·h per layer (QKᵀ and ·V over the full square) + 2·h·V for the LM head. For GPT this
     * is F72 = 72·B·s·l·h²·(1 + s/(6h) + V/(12lh)).
     */
    public static double modelFlops(ModelSpec m, long globalBatch, long s) {
        double tokens = (double) globalBatch * s;
        double perToken = m.layers() * (2.0 * m.layerMatrixParameters() + 4.0 * s * m.hidden())
                + 2.0 * m.hidden() * m.vocab();
        return 3 * tokens * perToken;
    }

    /** FLOPs actually executed in one step on all devices: forward, backward and recomputation, plus the LM head. */
    static double hardwareFlops(ModelSpec m, LayerProfile prof, Layout lay) {
        long b = lay.microBatch(), s = lay.seq();
        Work perLayer = prof.forward(b, s, 1, false).plus(prof.backward(b, s, 1, false))
                .plus(prof.recompute(lay.recompute(), b, s, 1, false));
        double micro = (double) lay.globalBatch() / b;
        return micro * (m.layers() * perLayer.flops() + 6.0 * b * s * m.hidden() * m.vocab());
    }
}
