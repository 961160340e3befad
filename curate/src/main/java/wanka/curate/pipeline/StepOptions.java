package wanka.curate.pipeline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options of one step from the pipeline config, with typed getters whose errors name the step and key.
 * Relative paths in options are resolved against {@code base}, the folder of the config file (null: the working directory).
 */
public record StepOptions(String type, Map<String, Object> values, java.nio.file.Path base) {
    public StepOptions {
        values = new LinkedHashMap<>(values);
    }

    public StepOptions(String type, Map<String, Object> values) {
        this(type, values, null);
    }

    /** A path option resolved against the config file's folder, or {@code def} (not resolved) when absent. */
    public java.nio.file.Path path(String key, java.nio.file.Path def) {
        Object v = values.get(key);
        if (v == null) return def;
        java.nio.file.Path p = java.nio.file.Path.of(v.toString());
        return base == null || p.isAbsolute() ? p : base.resolve(p).normalize();
    }

    public static StepOptions of(String type, Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return new StepOptions(type, m);
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    public String string(String key, String def) {
        Object v = values.get(key);
        return v == null ? def : v.toString();
    }

    public double number(String key, double def) {
        Object v = values.get(key);
        if (v == null) return def;
        if (v instanceof Number n) return n.doubleValue();
        try {
            return Double.parseDouble(v.toString());
        } catch (NumberFormatException e) {
            throw bad(key, "a number", v);
        }
    }

    public int integer(String key, int def) {
        double d = number(key, def);
        if (d != Math.rint(d)) throw bad(key, "an integer", values.get(key));
        return (int) d;
    }

    public boolean bool(String key, boolean def) {
        Object v = values.get(key);
        if (v == null) return def;
        if (v instanceof Boolean b) return b;
        return switch (v.toString()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw bad(key, "true or false", v);
        };
    }

    @SuppressWarnings("unchecked")
    public List<String> strings(String key, List<String> def) {
        Object v = values.get(key);
        if (v == null) return def;
        if (v instanceof List<?> l) return l.stream().map(Object::toString).toList();
        return List.of(v.toString());
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> map(String key) {
        Object v = values.get(key);
        if (v == null) return Map.of();
        if (v instanceof Map<?, ?> m) return (Map<String, Object>) m;
        throw bad(key, "a mapping", v);
    }

    private IllegalArgumentException bad(String key, String want, Object got) {
        return new IllegalArgumentException("step '" + type + "': option '" + key + "' must be " + want + ", got " + got);
    }
}
