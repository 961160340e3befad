package wanka.align.train;

import java.util.Map;

/**
 * Random state a post-training run carries besides its seed (e.g. how many dropout masks each LoRA adapter has drawn),
 * saved with every checkpoint and restored on resume so that a resumed run draws the same masks as an uninterrupted one.
 */
public interface RandomState {
    /** The state as named counters. */
    Map<String, Long> save();

    /** Restores what {@link #save} returned; a name this state does not know is an error. */
    void restore(Map<String, Long> state);

    /** No random state. */
    RandomState NONE = new RandomState() {
        @Override
        public Map<String, Long> save() {
            return Map.of();
        }

        @Override
        public void restore(Map<String, Long> state) {
            if (!state.isEmpty()) throw new IllegalArgumentException("checkpoint has random state " + state.keySet() + " that this run does not use");
        }
    };
}
