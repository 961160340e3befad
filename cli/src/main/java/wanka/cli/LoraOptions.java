package wanka.cli;

import picocli.CommandLine.Option;
import wanka.align.lora.LoraAdapters;
import wanka.align.lora.LoraConfig;
import wanka.align.lora.LoraTarget;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.tensor.CpuDevice;
import wanka.tensor.Tensor;

import java.util.EnumSet;
import java.util.List;

/** The LoRA options of sft, rm and dpo: adapters of rank {@code --lora-rank} on the chosen projections instead of full fine-tuning. */
final class LoraOptions {
    @Option(names = "--lora-rank", defaultValue = "0", paramLabel = "R", description = "Train LoRA adapters of rank R instead of all weights; 0 = full fine-tuning (default: ${DEFAULT-VALUE}).")
    int loraRank;

    @Option(names = "--lora-alpha", paramLabel = "A", description = "LoRA scale numerator: updates are (alpha/r)·B·A (default: 2 × rank).")
    Double loraAlpha;

    @Option(names = "--lora-dropout", defaultValue = "0", description = "Dropout on the adapters' input while training (default: ${DEFAULT-VALUE}).")
    double loraDropout;

    @Option(names = "--lora-targets", split = ",", paramLabel = "NAMES",
            description = "Projections to adapt, among query, key_value, dense, gate, up, down (default: all).")
    List<String> loraTargets;

    /** The adapters' shape, or null for full fine-tuning; checked before anything is loaded. */
    LoraConfig config(long seed) {
        if (loraRank == 0) {
            if (loraAlpha != null || loraDropout != 0 || loraTargets != null) throw new IllegalArgumentException("--lora-alpha, --lora-dropout and --lora-targets need --lora-rank");
            return null;
        }
        return new LoraConfig(loraRank, loraAlpha != null ? loraAlpha : 2.0 * loraRank, loraDropout, targets(), seed);
    }

    private EnumSet<LoraTarget> targets() {
        if (loraTargets == null || loraTargets.isEmpty()) return EnumSet.allOf(LoraTarget.class);
        EnumSet<LoraTarget> s = EnumSet.noneOf(LoraTarget.class);
        for (String t : loraTargets) s.add(LoraTarget.parse(t.strip()));
        return s;
    }

    /** Attaches fresh adapters to {@code model} (freezing its weights) and says how many parameters train. */
    static LoraAdapters attach(TeleChat2 model, LoraConfig lora, CpuDevice device) {
        LoraAdapters adapters = LoraAdapters.attach(model, lora, device);
        TeleChat2Config cfg = model.config();
        long n = adapters.parameters().values().stream().mapToLong(Tensor::numel).sum();
        System.err.printf("LoRA rank %d, alpha %.1f on %s: %,d trainable parameters (%.2f %% of %,d)%n", lora.r(), lora.alpha(), lora.targets(), n,
                100.0 * n / cfg.parameterCount(), cfg.parameterCount());
        return adapters;
    }
}
