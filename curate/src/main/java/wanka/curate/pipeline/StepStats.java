package wanka.curate.pipeline;

import java.util.Map;
import java.util.TreeMap;

/**
 * What one step did in one task: documents in, kept unchanged, changed, dropped (by reason), quarantined,
 * each also per domain, plus characters in and out and free-form counters. Mergeable across tasks.
 */
public final class StepStats {
    /** Counts for one domain. */
    public static final class Counts {
        public long in, kept, changed, dropped, quarantined, charsIn, charsOut;

        void add(Counts o) {
            in += o.in;
            kept += o.kept;
            changed += o.changed;
            dropped += o.dropped;
            quarantined += o.quarantined;
            charsIn += o.charsIn;
            charsOut += o.charsOut;
        }
    }

    private final String step;
    private final Map<String, Counts> byDomain = new TreeMap<>();
    private final Map<String, Long> dropReasons = new TreeMap<>();
    private final Map<String, Long> counters = new TreeMap<>();
    private long nanos;

    public StepStats(String step) {
        this.step = step;
    }

    public String step() {
        return step;
    }

    public Map<String, Counts> byDomain() {
        return byDomain;
    }

    public Map<String, Long> dropReasons() {
        return dropReasons;
    }

    public Map<String, Long> counters() {
        return counters;
    }

    public long nanos() {
        return nanos;
    }

    Counts domain(String d) {
        return byDomain.computeIfAbsent(d, k -> new Counts());
    }

    void dropped(String domain, String reason) {
        dropReasons.merge(reason, 1L, Long::sum);
        domain(domain).dropped++;
    }

    void count(String counter, long n) {
        counters.merge(counter, n, Long::sum);
    }

    void addNanos(long n) {
        nanos += n;
    }

    /** All domains together. */
    public Counts total() {
        Counts t = new Counts();
        byDomain.values().forEach(t::add);
        return t;
    }

    /** Adds another task's stats of the same step. */
    public void merge(StepStats o) {
        o.byDomain.forEach((d, c) -> domain(d).add(c));
        o.dropReasons.forEach((k, v) -> dropReasons.merge(k, v, Long::sum));
        o.counters.forEach((k, v) -> counters.merge(k, v, Long::sum));
        nanos += o.nanos;
    }
}
