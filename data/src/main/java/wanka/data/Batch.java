package wanka.data;

/** One micro-batch of next-token examples laid out [batch, seq]: targets[i] is the token after inputs[i]. */
public record Batch(int[] inputs, int[] targets, int batch, int seq) {
    public Batch {
        if (inputs.length != batch * seq || targets.length != batch * seq) {
            throw new IllegalArgumentException("batch arrays must hold batch*seq = " + batch * seq + " tokens");
        }
    }
}
