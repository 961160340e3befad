package wanka.model;

import wanka.model.io.ModelFiles;
import wanka.model.io.ModelFormatException;
import wanka.model.io.NamedArray;
import wanka.model.io.SafetensorsDType;
import wanka.model.io.SafetensorsFile;
import wanka.model.io.SafetensorsWriter;
import wanka.model.io.TensorInfo;
import wanka.model.io.WeightNames;
import wanka.tensor.CpuDevice;
import wanka.tensor.DType;
import wanka.tensor.Device;
import wanka.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Reads and writes TeleChat2 models as HF model directories (config.json + safetensors, sharded or not). */
public final class ModelIO {
    /** Shards are cut at this size when saving (HF's default is 5 GB; smaller keeps files easy to move). */
    public static final long MAX_SHARD_BYTES = 2L << 30;

    private ModelIO() {
    }

    /** Loads an HF TeleChat2 directory onto {@code device}; parameters require grad. */
    public static TeleChat2 load(Path dir, Device device) throws IOException {
        TeleChat2Config config = TeleChat2Config.read(configFile(dir));
        try (ModelFiles files = ModelFiles.open(dir)) {
            WeightNames.validate(config, files.shapes(), dir);
            Map<String, Tensor> tensors = new HashMap<>();
            for (String name : files.names()) {
                long[] shape = files.info(name).shape();
                int[] dims = java.util.Arrays.stream(shape).mapToInt(Math::toIntExact).toArray();
                Tensor t = device instanceof CpuDevice cpu ? Tensor.wrap(cpu, files.readFloats(name), dims) : Tensor.zeros(device, dims);
                requireFinite(t, name, dir);
                tensors.put(name, t.named(name).requiresGrad(true));
            }
            return TeleChat2.fromParameters(config, tensors::get);
        }
    }

    /**
     * Loads an HF TeleChat2 directory for inference: on a CPU device the 2-D weight matrices (embeddings, attention and
     * MLP projections, lm_head) stored as F32 or BF16 are not copied but read in place from the memory-mapped files
     * ({@link Tensor#mapped}), so they take no heap and stay in the page cache; norms, biases and matrices of other
     * dtypes (F16, F64) are converted to heap tensors. No parameter requires grad, and the mapped ones are read-only:
     * use {@link #load} to train. The mappings live as long as the model's tensors are reachable.
     */
    public static TeleChat2 loadForInference(Path dir, Device device) throws IOException {
        TeleChat2Config config = TeleChat2Config.read(configFile(dir));
        try (ModelFiles files = ModelFiles.open(dir, true)) {
            WeightNames.validate(config, files.shapes(), dir);
            Map<String, Tensor> tensors = new HashMap<>();
            for (String name : files.names()) {
                TensorInfo info = files.info(name);
                int[] dims = java.util.Arrays.stream(info.shape()).mapToInt(Math::toIntExact).toArray();
                Tensor t;
                if (!(device instanceof CpuDevice cpu)) {
                    t = Tensor.zeros(device, dims);
                } else if (dims.length == 2 && (info.dtype() == SafetensorsDType.F32 || info.dtype() == SafetensorsDType.BF16)) {
                    DType type = info.dtype() == SafetensorsDType.F32 ? DType.F32 : DType.BF16;
                    t = Tensor.mapped(cpu, files.segment(name), type, dims);
                } else {
                    t = Tensor.wrap(cpu, files.readFloats(name), dims);
                }
                requireFinite(t, name, dir);
                tensors.put(name, t.named(name));
            }
            return TeleChat2.fromParameters(config, tensors::get);
        }
    }

    private static final ValueLayout.OfInt F32_BITS = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort BF16_BITS = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Refuses a weight holding NaN or ±infinity (a corrupt file or a diverged run), which would otherwise generate
     * garbage: one pass over the elements, split over the device's threads, testing the exponent bits.
     */
    private static void requireFinite(Tensor t, String name, Path dir) throws ModelFormatException {
        if (!(t.device() instanceof CpuDevice cpu)) return;
        int n = Math.toIntExact(t.numel()), chunk = 1 << 16;
        AtomicLong firstBad = new AtomicLong(Long.MAX_VALUE);
        cpu.pool().parallelFor((n + chunk - 1) / chunk, (from, to) -> {
            int bad = firstNonFinite(t, from * chunk, (int) Math.min(n, (long) to * chunk));
            if (bad >= 0) firstBad.accumulateAndGet(bad, Math::min);
        });
        long i = firstBad.get();
        if (i == Long.MAX_VALUE) return;
        int[] dims = t.shape().dims();
        String at = dims.length == 2 ? "[" + i / dims[1] + ", " + i % dims[1] + "]" : "[" + i + "]";
        throw new ModelFormatException(dir + ": weight " + name + " holds a non-finite value (NaN or infinity) at " + at
                + " of " + t.shape() + "; the file is corrupt or the run that wrote it diverged");
    }

    /** The first element index in [from, to) whose exponent bits are all ones (NaN, ±infinity), or -1. */
    private static int firstNonFinite(Tensor t, int from, int to) {
        if (!t.isMapped()) {
            float[] a = t.data();
            for (int i = from; i < to; i++) if (!Float.isFinite(a[t.offset() + i])) return i;
        } else if (t.segmentType() == DType.F32) {
            for (int i = from; i < to; i++) if ((t.segment().getAtIndex(F32_BITS, i) & 0x7F800000) == 0x7F800000) return i;
        } else {
            for (int i = from; i < to; i++) if ((t.segment().getAtIndex(BF16_BITS, i) & 0x7F80) == 0x7F80) return i;
        }
        return -1;
    }

    /** Copies the weights of an HF directory into an existing model of the same config (resume). */
    public static void loadInto(TeleChat2 model, Path dir) throws IOException {
        TeleChat2Config config = TeleChat2Config.read(configFile(dir));
        if (!config.equals(model.config())) {
            throw new IllegalArgumentException(dir.resolve("config.json") + ": config differs from the model being trained");
        }
        try (ModelFiles files = ModelFiles.open(dir)) {
            WeightNames.validate(config, files.shapes(), dir);
            for (var e : model.parameters().entrySet()) {
                float[] src = files.readFloats(e.getKey());
                Tensor t = e.getValue();
                System.arraycopy(src, 0, t.data(), t.offset(), src.length);
            }
        }
    }

    /** Writes config.json and the weights (FP32) into {@code dir}, sharded past {@link #MAX_SHARD_BYTES}. */
    public static void save(TeleChat2 model, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<NamedArray> arrays = new ArrayList<>();
        for (var e : model.parameters().entrySet()) arrays.add(named(e.getKey(), e.getValue()));
        ModelFiles.write(dir, arrays, SafetensorsDType.F32, MAX_SHARD_BYTES);
        model.config().write(dir.resolve("config.json"));
    }

    /** Writes named arrays (shapes taken from {@code shapesOf}, matched by suffix) as one safetensors file. */
    public static void writeArrays(Path file, Map<String, float[]> arrays, Map<String, Tensor> shapesOf) throws IOException {
        List<NamedArray> list = new ArrayList<>();
        for (var e : arrays.entrySet()) {
            String param = e.getKey().substring(e.getKey().indexOf('.') + 1);
            Tensor like = shapesOf.get(param);
            long[] shape = like != null ? java.util.Arrays.stream(like.shape().dims()).asLongStream().toArray() : new long[]{e.getValue().length};
            list.add(new NamedArray(e.getKey(), shape, e.getValue()));
        }
        SafetensorsWriter.write(file, list);
    }

    /** Reads every tensor of one safetensors file as float arrays. */
    public static Map<String, float[]> readArrays(Path file) throws IOException {
        Map<String, float[]> m = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String n : f.names()) m.put(n, f.readFloats(n));
        }
        return m;
    }

    private static NamedArray named(String name, Tensor t) {
        long[] shape = java.util.Arrays.stream(t.shape().dims()).asLongStream().toArray();
        return new NamedArray(name, shape, t.toArray());
    }

    private static Path configFile(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new ModelFormatException(dir + ": not a model directory");
        Path c = dir.resolve("config.json");
        if (!Files.isRegularFile(c)) throw new ModelFormatException(dir + ": no config.json (expected an HF TeleChat2 model directory)");
        return c;
    }
}
