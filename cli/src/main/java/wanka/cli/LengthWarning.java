package wanka.cli;

import wanka.model.TeleChat2Config;
import wanka.tensor.cpu.RopeTable;

import java.io.PrintWriter;

/** Warns once, on stderr, when a generation's context grows past the length the model was trained at. */
final class LengthWarning {
    private final TeleChat2Config config;
    private final PrintWriter err;
    private boolean warned;

    LengthWarning(TeleChat2Config config, PrintWriter err) {
        this.config = config;
        this.err = err;
    }

    /** Called with the context length as it grows; {@code upTo} is the most it can reach in this generation. */
    void at(int length, int upTo) {
        int trained = config.trainingSeqlen();
        if (warned || length <= trained) return;
        warned = true;
        int base = config.baseSeqlen();
        err.println("warning: generation passed the model's training_seqlen " + trained + " at token " + length + " (it may run to " + upTo
                + "); beyond it TeleChat2 stretches RoPE by dynamic NTK scaling (alpha " + RopeTable.ntkAlpha(length, trained, base)
                + " now, " + RopeTable.ntkAlpha(upTo, trained, base) + " at " + upTo + " tokens; base_seqlen " + base
                + "), and text usually degrades: lower --max-new-tokens to stay within it");
    }
}
