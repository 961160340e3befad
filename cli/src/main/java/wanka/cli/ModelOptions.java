package wanka.cli;

import picocli.CommandLine.Option;
import wanka.model.Presets;
import wanka.model.TeleChat2Config;

import java.io.IOException;
import java.nio.file.Path;

/** How a command is told which model architecture to build. */
final class ModelOptions {
    @Option(names = "--preset", paramLabel = "NAME",
            description = "Model size preset: nano (quickstart, ~5M params with a 4k vocabulary), tiny, small, base (benchmark sizes), telechat2-3b, -7b, -35b, -115b.")
    String preset;

    @Option(names = "--config", paramLabel = "FILE", description = "An HF TeleChat2 config.json (overrides --preset).")
    Path config;

    @Option(names = "--vocab-size", paramLabel = "N", description = "Override vocab_size (e.g. to match a tokenizer).")
    Integer vocabSize;

    TeleChat2Config resolve(String defaultPreset) throws IOException {
        TeleChat2Config c = config != null ? TeleChat2Config.read(config) : Presets.get(preset != null ? preset : defaultPreset);
        if (vocabSize != null) c = c.withVocabSize(vocabSize);
        return c;
    }
}
