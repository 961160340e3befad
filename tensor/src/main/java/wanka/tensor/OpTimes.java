package wanka.tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Wall time of the ops a device ran, by op key (e.g. {@code "linear NT 1024×384×256"}, {@code "attention.backward"}),
 * while a {@link Device#timeOps(OpTimes) timer is attached}: the profiling hook behind {@code wanka bench plan
 * --breakdown}, which puts a real step's op classes beside the time model's. One timer per device; a device is driven
 * by one thread, but {@link #snapshot()} may be read from another.
 */
public final class OpTimes {
    /** Calls and nanoseconds of one op key. */
    public record Entry(String key, long calls, long nanos) {
        Entry plus(long ns) {
            return new Entry(key, calls + 1, nanos + ns);
        }
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    /** Adds one call of {@code key} that started at {@code startNanos} ({@link System#nanoTime()}) and ends now. */
    public synchronized void add(String key, long startNanos) {
        long ns = System.nanoTime() - startNanos;
        entries.merge(key, new Entry(key, 1, ns), (a, b) -> a.plus(ns));
    }

    /** @return a copy of the entries, in first-seen order */
    public synchronized Map<String, Entry> snapshot() {
        return new LinkedHashMap<>(entries);
    }

    /** Forgets everything recorded (e.g. after warm-up steps). */
    public synchronized void clear() {
        entries.clear();
    }
}
