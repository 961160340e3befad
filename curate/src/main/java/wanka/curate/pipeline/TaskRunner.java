package wanka.curate.pipeline;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Pushes the documents of one task through its steps in order, keeping per-step statistics. A step that
 * throws on a document sends that document to the quarantine (reason: step and message) and the task goes on.
 */
public final class TaskRunner {
    private final List<Step> steps;
    private final List<StepStats> stats = new ArrayList<>();
    private final List<StepContext> contexts = new ArrayList<>();
    private final Quarantine quarantine;

    public TaskRunner(List<Step> steps, Quarantine quarantine, int task) {
        this.steps = List.copyOf(steps);
        this.quarantine = quarantine;
        for (Step s : steps) {
            StepStats st = new StepStats(s.name());
            stats.add(st);
            contexts.add(new StepContext(st, task));
        }
    }

    /** Runs one document through all steps. */
    public void accept(Document doc) throws IOException {
        Document cur = doc;
        for (int i = 0; i < steps.size() && cur != null; i++) {
            Step step = steps.get(i);
            StepStats st = stats.get(i);
            StepContext ctx = contexts.get(i);
            StepStats.Counts c = st.domain(cur.domain());
            c.in++;
            c.charsIn += cur.text().length();
            long t0 = System.nanoTime();
            Document out;
            try {
                out = step.apply(cur, ctx);
            } catch (Exception | StackOverflowError e) {
                st.addNanos(System.nanoTime() - t0);
                c.quarantined++;
                quarantine.add(cur.id(), step.name(), e.getClass().getSimpleName() + ": " + e.getMessage(), cur.text());
                return;
            }
            st.addNanos(System.nanoTime() - t0);
            if (out == null) {
                String reason = ctx.takeDropReason();
                st.dropped(cur.domain(), reason == null ? "unspecified" : reason);
            } else {
                if (out == cur) c.kept++;
                else c.changed++;
                c.charsOut += out.text().length();
            }
            cur = out;
        }
    }

    /** Lets every step finish (writers flush); returns the statistics. A step that fails here fails the task, naming the step. */
    public List<StepStats> finish() throws Exception {
        for (int i = 0; i < steps.size(); i++) {
            try {
                steps.get(i).finish(contexts.get(i));
            } catch (Exception e) {
                throw new IOException("step " + (i + 1) + " '" + steps.get(i).name() + "' failed to finish: " + LocalExecutor.describe(e), e);
            }
        }
        return stats;
    }
}
