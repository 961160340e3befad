package wanka.cli;

import picocli.CommandLine.Option;
import wanka.model.ModelIO;
import wanka.model.TeleChat2;
import wanka.tensor.CpuDevice;
import wanka.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Path;

/** Which model to run inference with, and how: shared by generate and chat. */
final class InferenceOptions {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "HF TeleChat2 model directory (config.json + safetensors).")
    Path modelDir;

    @Option(names = "--tokenizer", paramLabel = "DIR", description = "Tokenizer directory (default: the model directory).")
    Path tokenizerDir;

    @Option(names = "--threads", description = "CPU threads (default: all cores).")
    Integer threads;

    @Option(names = "--no-mmap", description = "Copy the weights into the heap instead of reading F32/BF16 matrices in place from the memory-mapped files.")
    boolean noMmap;

    CpuDevice device() {
        return CpuDevice.withThreads(threads != null ? threads : Runtime.getRuntime().availableProcessors());
    }

    TeleChat2 load(CpuDevice device) throws IOException {
        return noMmap ? ModelIO.load(modelDir, device) : ModelIO.loadForInference(modelDir, device);
    }

    Tokenizer tokenizer() throws IOException {
        return Corpora.loadTokenizer(tokenizerDir != null ? tokenizerDir : modelDir);
    }
}
