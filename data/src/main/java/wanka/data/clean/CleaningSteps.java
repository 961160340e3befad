package wanka.data.clean;

import wanka.data.pipeline.StepRegistry;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Registers the cleaning step types: {@code normalize}, {@code language}, {@code gopher_quality},
 * {@code gopher_repetition}, {@code c4_quality}, {@code fineweb_quality}, {@code boilerplate}.
 */
public final class CleaningSteps {
    private CleaningSteps() {
    }

    /** Adds the cleaning steps to {@code r}; language identifiers are built once per distinct config and shared by tasks. */
    public static StepRegistry register(StepRegistry r) {
        ConcurrentHashMap<LanguageFilter.Config, LanguageIdentifier> identifiers = new ConcurrentHashMap<>();
        ConcurrentHashMap<Boolean, TraditionalToSimplified> t2s = new ConcurrentHashMap<>();
        return r.register("normalize", f -> Normalize.from(f.options(), () -> t2s.computeIfAbsent(true, k -> TraditionalToSimplified.load())))
                .register("language", f -> {
                    LanguageFilter.Config c = LanguageFilter.config(f.options());
                    return new LanguageFilter(identifiers.computeIfAbsent(c, LanguageFilter.Config::identifier), c.thresholds());
                })
                .register("gopher_quality", f -> GopherQuality.from(f.options()))
                .register("gopher_repetition", f -> GopherRepetition.from(f.options()))
                .register("c4_quality", f -> C4Quality.from(f.options()))
                .register("fineweb_quality", f -> FineWebQuality.from(f.options()))
                .register("boilerplate", f -> Boilerplate.from(f.options()));
    }
}
