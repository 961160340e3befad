package wanka.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Named model configurations.
 *
 * <ul>
 *   <li>{@code telechat2-3b}, {@code telechat2-7b}, {@code telechat2-35b}, {@code telechat2-115b}: the released
 *       TeleChat2 sizes (vocabulary 131072, head size 128, training length 8192; 115B uses 8 kv heads). The 35B
 *       {@code seq_length} is not published; 8192 is used.</li>
 *   <li>{@code tiny}, {@code small}, {@code base}: the benchmark configurations of {@code bench/torch_telechat.py}
 *       (sequence length as there).</li>
 *   <li>{@code nano}: about 5 M parameters, for the quickstart and tests.</li>
 * </ul>
 */
public final class Presets {
    private static final Map<String, TeleChat2Config> PRESETS = build();

    private Presets() {
    }

    private static Map<String, TeleChat2Config> build() {
        Map<String, TeleChat2Config> m = new LinkedHashMap<>();
        m.put("nano", TeleChat2Config.of(4096, 256, 4, 4, 2, 704, 256));
        m.put("tiny", TeleChat2Config.of(8192, 256, 4, 8, 2, 688, 256));
        m.put("small", TeleChat2Config.of(32000, 512, 8, 8, 2, 1376, 512));
        m.put("base", TeleChat2Config.of(32000, 1024, 12, 16, 4, 2752, 1024));
        m.put("telechat2-3b", telechat2(3072, 24, 24, 24, 6144, 32768));
        m.put("telechat2-7b", telechat2(4096, 30, 32, 32, 12288, 32768));
        m.put("telechat2-35b", telechat2(6144, 64, 48, 48, 20480, 8192));
        m.put("telechat2-115b", telechat2(8192, 96, 64, 8, 40960, 8192));
        return Collections.unmodifiableMap(m);
    }

    private static TeleChat2Config telechat2(int hidden, int layers, int heads, int kvHeads, int ffn, int seqLength) {
        return new TeleChat2Config(131072, hidden, layers, heads, kvHeads, ffn, TeleChat2Config.DEFAULT_EPSILON,
                8192, 8192, seqLength, OptionalInt.empty(), TeleChat2Config.DEFAULT_INITIALIZER_RANGE,
                TeleChat2Config.DEFAULT_ROPE_THETA, 1, 2, 3, true, "float32");
    }

    /**
     * @return the preset of this name
     * @throws IllegalArgumentException for an unknown name; the message lists the known names
     */
    public static TeleChat2Config get(String name) {
        TeleChat2Config c = PRESETS.get(name);
        if (c == null) {
            throw new IllegalArgumentException("unknown model preset '" + name + "'; known presets: "
                    + String.join(", ", names()));
        }
        return c;
    }

    /** @return the preset names, smallest first */
    public static List<String> names() {
        return List.copyOf(PRESETS.keySet());
    }
}
