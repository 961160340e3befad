package wanka.curate.pipeline;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The step types and readers a pipeline config may name. A step type maps to a factory that builds one step instance
 * per task from its options; a reader name ({@code input.reader}) maps to a factory that builds the reader from the
 * {@code input} section's options. Unknown names fail when the config is loaded, naming the known ones.
 */
public final class StepRegistry {
    private final Map<String, Function<StepContextFactory, Step>> factories = new TreeMap<>();
    private final Map<String, String> summaries = new TreeMap<>();
    private final Map<String, Function<StepOptions, DocumentReader>> readers = new TreeMap<>();
    private final Map<String, String> readerSummaries = new TreeMap<>();

    /** What a factory gets: the step's options and the run's layout (output folder, task index). */
    public record StepContextFactory(StepOptions options, RunLayout layout, int task) {
    }

    public StepRegistry register(String type, Function<StepContextFactory, Step> factory) {
        return register(type, "", factory);
    }

    /** Registers a step type with a one-line summary of what it does and its main options (shown by {@code wanka data steps}). */
    public StepRegistry register(String type, String summary, Function<StepContextFactory, Step> factory) {
        factories.put(type, factory);
        summaries.put(type, summary);
        return this;
    }

    /** The one-line summary of {@code type} ("" when it has none). */
    public String summary(String type) {
        return summaries.getOrDefault(type, "");
    }

    public boolean knows(String type) {
        return factories.containsKey(type);
    }

    public java.util.Set<String> types() {
        return factories.keySet();
    }

    /** Registers a reader with a one-line summary of what it reads and its options. */
    public StepRegistry registerReader(String name, String summary, Function<StepOptions, DocumentReader> factory) {
        readers.put(name, factory);
        readerSummaries.put(name, summary);
        return this;
    }

    public boolean knowsReader(String name) {
        return readers.containsKey(name);
    }

    public java.util.Set<String> readers() {
        return readers.keySet();
    }

    /** The one-line summary of reader {@code name} ("" when it has none). */
    public String readerSummary(String name) {
        return readerSummaries.getOrDefault(name, "");
    }

    /** Builds the reader named by {@code input.type()} from the input section's options. */
    public DocumentReader reader(StepOptions input) {
        var f = readers.get(input.type());
        if (f == null) throw new IllegalArgumentException("unknown reader '" + input.type() + "'; known readers: " + String.join(", ", readers.keySet()));
        return f.apply(input);
    }

    public Step create(StepOptions options, RunLayout layout, int task) {
        var f = factories.get(options.type());
        if (f == null) throw new IllegalArgumentException("unknown step type '" + options.type() + "'; known types: " + String.join(", ", factories.keySet()));
        return f.apply(new StepContextFactory(options, layout, task));
    }
}
