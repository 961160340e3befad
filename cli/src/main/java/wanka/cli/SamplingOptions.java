package wanka.cli;

import picocli.CommandLine.Option;
import wanka.model.generate.GenerationConfig;

import java.util.Set;

/** Sampling flags shared by generate and chat. */
final class SamplingOptions {
    @Option(names = "--max-new-tokens", defaultValue = "128", description = "Most tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy; > 0 samples (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "Sample among the k most likely tokens; 0 = off (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus sampling threshold (default: ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--repetition-penalty", defaultValue = "1.0", description = "HF-style penalty on tokens already seen; TeleChat2 uses 1.03 (default: ${DEFAULT-VALUE}).")
    double repetitionPenalty;

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--stop-id", paramLabel = "ID", description = "Extra stop token id(s); the tokenizer's end token always stops.")
    Set<Integer> stopIds = new java.util.HashSet<>();

    /** Throws, naming the option, if a value is out of range; called before the model is loaded. */
    void check() {
        toConfig(Set.of());
    }

    GenerationConfig toConfig(Set<Integer> defaultStops) {
        Set<Integer> stops = new java.util.HashSet<>(defaultStops);
        stops.addAll(stopIds);
        return new GenerationConfig(maxNewTokens, temperature, topK, topP, repetitionPenalty, stops, seed);
    }
}
