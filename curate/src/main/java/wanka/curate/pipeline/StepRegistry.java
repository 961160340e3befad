package wanka.curate.pipeline;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The step types a pipeline config may name. A step type maps to a factory that builds one step instance
 * per task from its options. Unknown types fail when the config is loaded, naming the known ones.
 */
public final class StepRegistry {
    private final Map<String, Function<StepContextFactory, Step>> factories = new TreeMap<>();
    private final Map<String, String> summaries = new TreeMap<>();

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

    public Step create(StepOptions options, RunLayout layout, int task) {
        var f = factories.get(options.type());
        if (f == null) throw new IllegalArgumentException("unknown step type '" + options.type() + "'; known types: " + String.join(", ", factories.keySet()));
        return f.apply(new StepContextFactory(options, layout, task));
    }
}
