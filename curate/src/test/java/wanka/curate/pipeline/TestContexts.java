package wanka.curate.pipeline;

/** Step contexts for unit tests that call steps directly. */
public final class TestContexts {
    private TestContexts() {
    }

    public static StepContext context() {
        return new StepContext(new StepStats("test"), 0);
    }
}
