package wanka.tensor;

/** The per-device autograd switch, owned by one device and confined to the thread that drives the model. */
final class GradMode {
    private boolean enabled = true;

    boolean enabled() {
        return enabled;
    }

    Device.GradScope set(boolean value) {
        boolean previous = enabled;
        enabled = value;
        return () -> enabled = previous;
    }
}
