package wanka.align.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import wanka.io.AtomicFiles;
import wanka.align.train.RandomState;
import wanka.model.ParamRole;
import wanka.model.TeleChat2;
import wanka.model.io.ModelFormatException;
import wanka.model.io.NamedArray;
import wanka.model.io.SafetensorsFile;
import wanka.model.io.SafetensorsWriter;
import wanka.model.layers.Linear;
import wanka.model.layers.Projection;
import wanka.tensor.CpuDevice;
import wanka.tensor.Tensor;
import wanka.tensor.cpu.Gemm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * LoRA adapters on a TeleChat2 model, applied by wrapping its projections ({@link TeleChat2#mapProjections}) in
 * {@link LoraLinear}s; the base weights are frozen (they no longer require grad, so no gradient or optimizer state
 * exists for them) and only A and B train.
 *
 * <p>Saved in PEFT's layout: {@code adapter_model.safetensors} with
 * {@code base_model.model.transformer.h.N.self_attention.query.lora_A.weight} [r, in] and {@code ….lora_B.weight}
 * [out, r], and {@code adapter_config.json} ({@code peft_type} LORA, {@code r}, {@code lora_alpha},
 * {@code lora_dropout}, {@code target_modules}, …). It also records {@code wanka_base_fingerprint}, a CRC-32C of the base
 * model's shapes and first embedding and lm_head values, so loading an adapter onto another base model is an error.
 */
public final class LoraAdapters implements RandomState {
    public static final String WEIGHTS = "adapter_model.safetensors";
    public static final String CONFIG = "adapter_config.json";
    private static final String PREFIX = "base_model.model.";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TeleChat2 model;
    private final LoraConfig config;
    private final Map<String, LoraLinear> modules; // HF module name -> adapter, in model order
    private final String fingerprint;

    private LoraAdapters(TeleChat2 model, LoraConfig config, Map<String, LoraLinear> modules, String fingerprint) {
        this.model = model;
        this.config = config;
        this.modules = modules;
        this.fingerprint = fingerprint;
    }

    /**
     * Wraps the {@code config.targets()} projections of {@code model} in fresh adapters: A ~ U(−1/√in, 1/√in) (PEFT's
     * kaiming-uniform with a = √5), B = 0. Freezes every base parameter.
     */
    public static LoraAdapters attach(TeleChat2 model, LoraConfig config, CpuDevice device) {
        SplittableRandom root = new SplittableRandom(config.seed());
        return wrap(model, config, (name, base) -> {
            int r = config.r(), in = base.in(), out = base.out();
            Tensor a = Tensor.zeros(device, r, in).named(PREFIX + name + ".lora_A.weight");
            Tensor b = Tensor.zeros(device, out, r).named(PREFIX + name + ".lora_B.weight");
            SplittableRandom rnd = root.split();
            float bound = (float) (1 / Math.sqrt(in));
            float[] d = a.data();
            for (int i = 0; i < d.length; i++) d[i] = (float) (rnd.nextDouble(-bound, bound));
            return new Tensor[]{a, b};
        });
    }

    /**
     * Loads a PEFT LoRA adapter directory onto {@code model}.
     *
     * @throws ModelFormatException naming the file when it is not a LoRA adapter of this base model
     */
    public static LoraAdapters load(Path dir, TeleChat2 model, CpuDevice device) throws IOException {
        Path cfgFile = dir.resolve(CONFIG), weights = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(cfgFile)) throw new ModelFormatException(dir + ": no " + CONFIG + " (not a PEFT adapter directory)");
        if (!Files.isRegularFile(weights)) throw new ModelFormatException(dir + ": no " + WEIGHTS);
        JsonNode c = JSON.readTree(cfgFile.toFile());
        if (!"LORA".equals(c.path("peft_type").asText())) throw new ModelFormatException(cfgFile + ": peft_type is " + c.path("peft_type") + ", expected \"LORA\"");
        EnumSet<LoraTarget> targets = EnumSet.noneOf(LoraTarget.class);
        for (JsonNode t : c.path("target_modules")) targets.add(LoraTarget.parse(t.asText()));
        LoraConfig config = new LoraConfig(c.path("r").asInt(), c.path("lora_alpha").asDouble(), c.path("lora_dropout").asDouble(0), targets, c.path("wanka_seed").asLong(0));
        String want = c.path("wanka_base_fingerprint").asText("");
        String have = fingerprint(model);
        if (!want.isEmpty() && !want.equals(have)) {
            throw new ModelFormatException(cfgFile + ": this adapter was trained on another base model (fingerprint " + want + ", this base model has " + have
                    + "; base_model_name_or_path " + c.path("base_model_name_or_path").asText("?") + ")");
        }
        Map<String, float[]> arrays = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(weights)) {
            for (String n : f.names()) {
                arrays.put(n, f.readFloats(n));
                shapes.put(n, f.info(n).shape());
            }
        }
        Map<String, Tensor[]> factors = new LinkedHashMap<>();
        for (var e : model.parameters().entrySet()) {
            String name = e.getKey();
            if (!name.endsWith(".weight")) continue;
            String module = name.substring(0, name.length() - ".weight".length());
            LoraTarget t = target(module);
            if (t == null || !config.targets().contains(t)) continue;
            long out = e.getValue().shape().dim(0), in = e.getValue().shape().dim(1);
            String an = PREFIX + module + ".lora_A.weight", bn = PREFIX + module + ".lora_B.weight";
            factors.put(module, new Tensor[]{
                    tensor(device, an, arrays.remove(an), shapes.get(an), new long[]{config.r(), in}, weights),
                    tensor(device, bn, arrays.remove(bn), shapes.get(bn), new long[]{out, config.r()}, weights)});
        }
        if (!arrays.isEmpty()) throw new ModelFormatException(weights + ": tensors for modules this model does not have: " + arrays.keySet().stream().limit(3).toList());
        return wrap(model, config, (name, base) -> factors.get(name));
    }

    private static Tensor tensor(CpuDevice device, String name, float[] data, long[] shape, long[] want, Path file) throws ModelFormatException {
        if (data == null) throw new ModelFormatException(file + ": missing tensor '" + name + "'");
        if (!java.util.Arrays.equals(shape, want)) {
            throw new ModelFormatException(file + ": tensor '" + name + "' has shape " + java.util.Arrays.toString(shape) + ", this base model needs "
                    + java.util.Arrays.toString(want) + " (an adapter for another base model?)");
        }
        return Tensor.wrap(device, data, (int) want[0], (int) want[1]).named(name);
    }

    @FunctionalInterface
    private interface Factors {
        Tensor[] make(String module, Linear base);
    }

    private static LoraAdapters wrap(TeleChat2 model, LoraConfig config, Factors factors) {
        String fp = fingerprint(model);
        model.parameters().values().forEach(p -> p.requiresGrad(false));
        Map<String, LoraLinear> modules = new LinkedHashMap<>();
        model.mapProjections((name, p) -> {
            LoraTarget t = target(name);
            if (t == null || !config.targets().contains(t)) return p;
            if (p instanceof LoraLinear) throw new IllegalStateException(name + " already has a LoRA adapter");
            Tensor[] ab = factors.make(name, p.base());
            LoraLinear l = new LoraLinear(p.base(), ab[0].requiresGrad(true), ab[1].requiresGrad(true), config.scale(), (float) config.dropout(),
                    config.seed() * 31 + modules.size());
            modules.put(name, l);
            return l;
        });
        return new LoraAdapters(model, config, modules, fp);
    }

    /** The target of an HF module name such as {@code transformer.h.3.mlp.up_proj}, or null. */
    private static LoraTarget target(String module) {
        if (!module.startsWith("transformer.h.")) return null;
        return LoraTarget.ofPath(module.substring(module.indexOf('.', "transformer.h.".length()) + 1));
    }

    public LoraConfig config() {
        return config;
    }

    public TeleChat2 model() {
        return model;
    }

    /** The adapter tensors under their PEFT names (the only trainable parameters). */
    public Map<String, Tensor> parameters() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        modules.forEach((name, l) -> {
            m.put(PREFIX + name + ".lora_A.weight", l.a());
            m.put(PREFIX + name + ".lora_B.weight", l.b());
        });
        return m;
    }

    /** The dropout masks each adapter has drawn, by module name (all zero without dropout). */
    @Override
    public Map<String, Long> save() {
        Map<String, Long> m = new LinkedHashMap<>();
        if (config.dropout() > 0) modules.forEach((name, l) -> m.put("lora_dropout_calls." + name, l.dropoutCalls()));
        return m;
    }

    @Override
    public void restore(Map<String, Long> state) {
        Map<String, Long> left = new LinkedHashMap<>(state);
        if (config.dropout() > 0) {
            modules.forEach((name, l) -> {
                Long n = left.remove("lora_dropout_calls." + name);
                if (n == null) throw new IllegalArgumentException("checkpoint has no dropout state of adapter " + name + " (trained with another --lora-dropout?)");
                l.dropoutCalls(n);
            });
        }
        if (!left.isEmpty()) throw new IllegalArgumentException("checkpoint has random state " + left.keySet().stream().limit(3).toList() + " that these adapters do not use");
    }

    /** Roles for the optimizer: adapter matrices decay like other weight matrices. */
    public Map<String, ParamRole> roles() {
        Map<String, ParamRole> m = new LinkedHashMap<>();
        parameters().keySet().forEach(n -> m.put(n, ParamRole.LINEAR_WEIGHT));
        return m;
    }

    /** Writes {@code adapter_model.safetensors} and {@code adapter_config.json} (each atomically) into {@code dir}. */
    public void save(Path dir, String baseModelPath) throws IOException {
        Files.createDirectories(dir);
        List<NamedArray> arrays = new ArrayList<>();
        parameters().forEach((n, t) -> arrays.add(new NamedArray(n, new long[]{t.shape().dim(0), t.shape().dim(1)}, t.toArray())));
        SafetensorsWriter.write(dir.resolve(WEIGHTS), arrays);
        ObjectNode c = JSON.createObjectNode();
        c.put("peft_type", "LORA");
        c.put("task_type", "CAUSAL_LM");
        c.put("base_model_name_or_path", baseModelPath);
        c.put("r", config.r());
        c.put("lora_alpha", config.alpha());
        c.put("lora_dropout", config.dropout());
        ArrayNode targets = c.putArray("target_modules");
        config.targets().stream().sorted().forEach(t -> targets.add(t.moduleName()));
        c.put("bias", "none");
        c.put("fan_in_fan_out", false);
        c.put("inference_mode", true);
        c.put("use_rslora", false);
        c.putNull("modules_to_save");
        c.put("wanka_base_fingerprint", fingerprint);
        c.put("wanka_seed", config.seed());
        AtomicFiles.write(dir.resolve(CONFIG), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(c));
    }

    /**
     * Folds every adapter into its base weight, {@code W ← W + (α/r)·B A}, and unwraps the projections, so the model is
     * a plain TeleChat2 again (to save as an HF directory). The adapters are spent afterwards.
     */
    public TeleChat2 merge(CpuDevice device) {
        modules.values().forEach(l -> {
            Tensor w = l.base().weight();
            int out = l.base().out(), in = l.base().in(), r = config.r();
            Gemm.sgemm(device.pool(), false, false, out, in, r, l.scale(), l.b().data(), l.b().offset(), r, l.a().data(), l.a().offset(), in,
                    1f, w.data(), w.offset(), in);
        });
        model.mapProjections((name, p) -> p.base());
        modules.clear();
        return model;
    }

    /** CRC-32C over the base model's parameter names, shapes and first 4096 values of embeddings and lm_head. */
    static String fingerprint(TeleChat2 model) {
        CRC32C crc = new CRC32C();
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4 * 4096);
        model.parameters().forEach((name, t) -> {
            crc.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (int d : t.shape().dims()) crc.update(d);
            if (name.equals("transformer.word_embeddings.weight") || name.equals("lm_head.weight")) {
                int cols = t.shape().lastDim(), rows = Math.min(t.shape().rows(), (4096 + cols - 1) / cols);
                float[] v = t.rowsView(0, rows).toArray();
                buf.clear();
                for (int i = 0; i < Math.min(4096, v.length); i++) buf.putFloat(v[i]);
                buf.flip();
                crc.update(buf);
            }
        });
        return String.format("%08x", crc.getValue());
    }
}
