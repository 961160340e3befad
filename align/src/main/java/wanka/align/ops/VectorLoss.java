package wanka.align.ops;

/** A scalar loss of a small vector (rewards, sequence log-probabilities) with its gradient in closed form. */
@FunctionalInterface
public interface VectorLoss {
    /** Returns L(x) and writes dL/dx into {@code grad} (same length as x). */
    double value(double[] x, double[] grad);
}
