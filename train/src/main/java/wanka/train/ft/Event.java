package wanka.train.ft;

/**
 * One entry of a supervised job's timeline: a start (fresh or resumed), a fault the agent saw, a straggler it noted,
 * the job's end. {@code timeMs} is wall-clock milliseconds; {@code step} the step the job had reached.
 */
public record Event(long timeMs, Kind kind, long step, String detail) {
    /** The closed set of things that happen to a supervised job. */
    public enum Kind {
        STARTED, RESUMED, DIED, HUNG, STRAGGLER, EXCLUDED, INJECTED, FINISHED, GAVE_UP
    }
}
