package wanka.align.lora;

import java.util.Arrays;

/**
 * The TeleChat2 projections LoRA can adapt, by the HF module name PEFT's {@code target_modules} uses
 * ({@code query}, {@code key_value}, {@code dense} in {@code self_attention}; {@code gate_proj}, {@code up_proj},
 * {@code down_proj} in {@code mlp}).
 */
public enum LoraTarget {
    QUERY("self_attention.query", "query"),
    KEY_VALUE("self_attention.key_value", "key_value"),
    DENSE("self_attention.dense", "dense"),
    GATE("mlp.gate_proj", "gate"),
    UP("mlp.up_proj", "up"),
    DOWN("mlp.down_proj", "down");

    /** Module path inside a block, as the HF checkpoint names it. */
    public final String path;
    /** The short name the CLI accepts besides the module name. */
    public final String alias;

    LoraTarget(String path, String alias) {
        this.path = path;
        this.alias = alias;
    }

    /** The module name PEFT writes in {@code target_modules} (the last part of the path). */
    public String moduleName() {
        return path.substring(path.indexOf('.') + 1);
    }

    /** Parses {@code query}, {@code key_value}, {@code dense}, {@code gate}/{@code gate_proj}, {@code up}/{@code up_proj}, {@code down}/{@code down_proj}. */
    public static LoraTarget parse(String s) {
        for (LoraTarget t : values()) if (t.alias.equals(s) || t.moduleName().equals(s)) return t;
        throw new IllegalArgumentException("unknown LoRA target '" + s + "'; choose among "
                + String.join(", ", Arrays.stream(values()).map(t -> t.alias).toList()));
    }

    /** The target of a block-relative module path, or null. */
    static LoraTarget ofPath(String blockRelative) {
        for (LoraTarget t : values()) if (t.path.equals(blockRelative)) return t;
        return null;
    }
}
