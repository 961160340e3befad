package wanka.bench.model;

import wanka.model.ModelIO;
import wanka.model.Presets;
import wanka.model.TeleChat2;
import wanka.model.TeleChat2Config;
import wanka.model.generate.GenerationConfig;
import wanka.model.generate.Generator;
import wanka.model.io.ModelFiles;
import wanka.model.io.NamedArray;
import wanka.model.io.SafetensorsDType;
import wanka.tensor.CpuDevice;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Greedy decode speed (tokens/s) of a randomly initialised preset model, with its weights on the heap
 * ({@link ModelIO#load}) or read in place from the memory-mapped files ({@link ModelIO#loadForInference}), saved as
 * F32 and as BF16 in a temporary folder (deleted at the end). Each variant: one warm-up generation, then the best of
 * {@code --reps} generations of {@code --tokens} new tokens after a {@code --prompt}-token prompt. Prints one JSON
 * line per variant, with the heap in use after loading (after a GC).
 *
 * <p>Usage: {@code DecodeBench [--preset small] [--threads N] [--tokens 64] [--prompt 16] [--reps 3]}.
 */
public final class DecodeBench {
    private DecodeBench() {
    }

    public static void main(String[] args) throws IOException {
        String preset = "small";
        int threads = Runtime.getRuntime().availableProcessors(), tokens = 64, prompt = 16, reps = 3;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--preset" -> preset = v;
                case "--threads" -> threads = Integer.parseInt(v);
                case "--tokens" -> tokens = Integer.parseInt(v);
                case "--prompt" -> prompt = Integer.parseInt(v);
                case "--reps" -> reps = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: DecodeBench [--preset NAME] [--threads N] [--tokens N] [--prompt N] [--reps N]");
            }
            i++;
        }
        TeleChat2Config config = Presets.get(preset);
        Path tmp = Files.createTempDirectory("wanka-decode-bench");
        try (CpuDevice device = CpuDevice.withThreads(threads)) {
            Path f32 = tmp.resolve("f32"), bf16 = tmp.resolve("bf16");
            save(TeleChat2.initialize(config, device, 1234), f32, bf16);
            int[] ids = new int[prompt];
            for (int i = 0; i < prompt; i++) ids[i] = (i * 7919 + 13) % config.vocabSize();
            run("heap-f32", preset, threads, f32, false, device, ids, tokens, reps);
            run("mmap-f32", preset, threads, f32, true, device, ids, tokens, reps);
            run("heap-bf16", preset, threads, bf16, false, device, ids, tokens, reps);
            run("mmap-bf16", preset, threads, bf16, true, device, ids, tokens, reps);
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    private static void save(TeleChat2 model, Path f32, Path bf16) throws IOException {
        ModelIO.save(model, f32);
        List<NamedArray> arrays = new ArrayList<>();
        for (var e : model.parameters().entrySet()) {
            long[] shape = java.util.Arrays.stream(e.getValue().shape().dims()).asLongStream().toArray();
            arrays.add(new NamedArray(e.getKey(), shape, e.getValue().toArray()));
        }
        ModelFiles.write(bf16, arrays, SafetensorsDType.BF16, ModelIO.MAX_SHARD_BYTES);
        model.config().write(bf16.resolve("config.json"));
    }

    private static void run(String variant, String preset, int threads, Path dir, boolean mapped, CpuDevice device,
                            int[] prompt, int tokens, int reps) throws IOException {
        long heap0 = usedHeap();
        TeleChat2 model = mapped ? ModelIO.loadForInference(dir, device) : ModelIO.load(dir, device);
        long heapModel = usedHeap() - heap0;
        Generator gen = new Generator(model);
        GenerationConfig gc = GenerationConfig.greedy(tokens, Set.of());
        gen.generate(prompt, gc, t -> { });
        double best = 0, prefill = Double.MAX_VALUE;
        for (int r = 0; r < reps; r++) {
            Generator.Result res = gen.generate(prompt, gc, t -> { });
            best = Math.max(best, res.decodeTokensPerSecond());
            prefill = Math.min(prefill, res.prefillSeconds());
        }
        System.out.printf(Locale.ROOT, "{\"variant\":\"%s\",\"preset\":\"%s\",\"threads\":%d,\"prompt\":%d,\"tokens\":%d,"
                        + "\"decode_tokens_per_s\":%.1f,\"prefill_ms\":%.1f,\"model_heap_mb\":%.1f}%n",
                variant, preset, threads, prompt.length, tokens, best, prefill * 1e3, heapModel / 1e6);
    }

    private static long usedHeap() {
        for (int i = 0; i < 2; i++) System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
