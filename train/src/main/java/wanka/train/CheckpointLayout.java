package wanka.train;

/**
 * The parallel layout a checkpoint was written under, recorded in its manifest: tensor-, data- and pipeline-parallel
 * sizes, virtual pipeline stages and whether the optimizer state was sharded over the data-parallel ranks (ZeRO-1).
 * A sharded checkpoint holds one {@code rank-NNNNN/} folder per rank of {@code tp·dp·pp}; loading assembles the full
 * tensors from them, so the run that resumes may use any other layout. The single-process trainer's checkpoints are
 * {@link #SINGLE}.
 */
public record CheckpointLayout(int tp, int dp, int pp, int vpp, boolean zero) {
    /** One process, no sharding: the single-process {@link Trainer}'s checkpoints (weights and moments whole). */
    public static final CheckpointLayout SINGLE = new CheckpointLayout(1, 1, 1, 1, false);

    public CheckpointLayout {
        if (tp < 1 || dp < 1 || pp < 1 || vpp < 1) throw new IllegalArgumentException("checkpoint layout sizes must be >= 1: tp" + tp + " dp" + dp + " pp" + pp + " vpp" + vpp);
    }

    public int worldSize() {
        return tp * dp * pp;
    }

    /** "tp2 dp2 pp2 vpp1 zero-1", for messages. */
    public String describe() {
        return "tp" + tp + " dp" + dp + " pp" + pp + (vpp > 1 ? " vpp" + vpp : "") + (zero ? " zero-1" : "");
    }
}
