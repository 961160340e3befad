package wanka.train.parallel;

import java.util.Map;
import java.util.TreeMap;

/**
 * What one rank's communication cost in one step: payload bytes per collective type and group (the bytes of
 * the buffer each call passes, e.g. {@code all_reduce/dp}), time the training thread was blocked on a
 * collective (exposed), time asynchronous collectives were in flight while it computed (overlapped), and time
 * it waited for a pipeline neighbour's activation or gradient (the bubble, parallel-formulas §2.5). Reset at
 * the start of each step; one instance per rank, used by that rank's thread only.
 */
final class CommStats {
    private final Map<String, Long> bytes = new TreeMap<>();
    private long exposedNanos;
    private long overlappedNanos;
    private long bubbleNanos;

    void reset() {
        bytes.clear();
        exposedNanos = 0;
        overlappedNanos = 0;
        bubbleNanos = 0;
    }

    void bytes(String type, String group, long n) {
        bytes.merge(type + "/" + group, n, Long::sum);
    }

    void exposed(long nanos) {
        exposedNanos += nanos;
    }

    void overlapped(long nanos) {
        overlappedNanos += nanos;
    }

    void bubble(long nanos) {
        bubbleNanos += nanos;
    }

    Map<String, Long> bytes() {
        return Map.copyOf(bytes);
    }

    long exposedNanos() {
        return exposedNanos;
    }

    long overlappedNanos() {
        return overlappedNanos;
    }

    long bubbleNanos() {
        return bubbleNanos;
    }
}
