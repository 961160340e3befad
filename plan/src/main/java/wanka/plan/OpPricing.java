package wanka.plan;

/**
 * Turns the work of one micro-batch's ops into seconds on one device of a cluster, by op class: the roofline of
 * {@link Work#seconds} with the cluster's efficiency constants (the presets, calibrated on published runs), or, when the
 * cluster carries measured per-shape rates ({@link CpuRates}, a {@code wanka plan calibrate} profile), a look-up of
 * each op at its own shape ({@link MeasuredPricing}).
 */
sealed interface OpPricing permits OpPricing.Roofline, MeasuredPricing {
    /** The pricing of {@code c} for model {@code m} with layer profile {@code prof}, computing in {@code pr}. */
    static OpPricing of(ModelSpec m, LayerProfile prof, Cluster c, Precision pr) {
        return c.rates() == null ? new Roofline(m, prof, c, pr) : new MeasuredPricing(m, prof, c, pr);
    }

    /** One layer's forward for {@code b} sequences of length {@code s} on one of t TP ranks. */
    Work.Seconds layerForward(long b, long s, int t, boolean sp);

    /** One layer's backward. */
    Work.Seconds layerBackward(long b, long s, int t, boolean sp);

    /** What recomputation {@code rc} redoes in one layer's backward. */
    Work.Seconds recompute(Recompute rc, long b, long s, int t, boolean sp);

    /** The embedding's forward (or backward) over {@code tokens} tokens. */
    Work.Seconds embedding(double tokens, boolean backward);

    /** The LM head and loss's forward (or backward) over {@code tokens} tokens, vocabulary split over t. */
    Work.Seconds head(double tokens, int t, boolean backward);

    /** The optimizer update of {@code params} parameters (this device's shard). */
    double optimizer(double params);

    /** The embedding's work (16-bit activations in, the activation width out). */
    static Work embeddingWork(ModelSpec m, Precision pr, double tokens, boolean backward) {
        Work f = new Work(0, 0, tokens * m.hidden() * pr.activationBytes() * 2, 2);
        return backward ? f.times(2) : f;
    }

    /** The LM head and loss's work: the logits multiply and the softmax over V/t columns. */
    static Work headWork(ModelSpec m, double tokens, int t, boolean backward) {
        return backward ? new Work(4 * tokens * m.hidden() * m.vocab() / t, 0, tokens * m.vocab() / t * 8, 4)
                : new Work(2 * tokens * m.hidden() * m.vocab() / t, 0, tokens * m.vocab() / t * 8 + tokens * m.hidden() * 4, 4);
    }

    /** The roofline of {@link Work#seconds}: the presets' model, unchanged by measured CPU rates. */
    record Roofline(ModelSpec m, LayerProfile prof, Cluster c, Precision pr) implements OpPricing {
        @Override
        public Work.Seconds layerForward(long b, long s, int t, boolean sp) {
            return prof.forward(b, s, t, sp).seconds(c);
        }

        @Override
        public Work.Seconds layerBackward(long b, long s, int t, boolean sp) {
            return prof.backward(b, s, t, sp).seconds(c);
        }

        @Override
        public Work.Seconds recompute(Recompute rc, long b, long s, int t, boolean sp) {
            return prof.recompute(rc, b, s, t, sp).seconds(c);
        }

        @Override
        public Work.Seconds embedding(double tokens, boolean backward) {
            return embeddingWork(m, pr, tokens, backward).seconds(c);
        }

        @Override
        public Work.Seconds head(double tokens, int t, boolean backward) {
            return headWork(m, tokens, t, backward).seconds(c);
        }

        @Override
        public double optimizer(double params) {
            return params * (2.0 * pr.optimizerBytes() + pr.gradBytes() + pr.paramBytes())
                    / (c.accelerator().hbmBandwidth() * c.efficiency().memory());
        }
    }
}
