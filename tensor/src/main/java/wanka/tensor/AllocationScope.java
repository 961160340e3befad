package wanka.tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Tensors allocated on a device while this scope is open. Closing the scope releases all of them except
 * those {@linkplain #keep kept}, so code that runs without recording a graph (inference, the forward pass of
 * a recomputed block) frees its temporaries at a known point and the device's live-byte count stays exact.
 * Scopes nest; a kept tensor moves to the enclosing scope.
 */
public final class AllocationScope implements AutoCloseable {
    private final Device device;
    private final AllocationScope parent;
    private final List<Tensor> allocated = new ArrayList<>();
    private final Set<Tensor> kept = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    AllocationScope(Device device, AllocationScope parent) {
        this.device = device;
        this.parent = parent;
    }

    void register(Tensor t) {
        allocated.add(t);
    }

    /** Keeps {@code t} alive past this scope; returns it. */
    public Tensor keep(Tensor t) {
        kept.add(t);
        return t;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        device.scopes().pop(this);
        for (Tensor t : allocated) {
            if (kept.contains(t)) {
                if (parent != null) parent.register(t);
            } else {
                t.release();
            }
        }
        allocated.clear();
    }

    /** The stack of open scopes of one device. */
    static final class Stack {
        private AllocationScope top;

        AllocationScope push(Device d) {
            top = new AllocationScope(d, top);
            return top;
        }

        void pop(AllocationScope s) {
            if (top != s) throw new IllegalStateException("allocation scopes closed out of order");
            top = s.parent;
        }

        void register(Tensor t) {
            if (top != null) top.register(t);
        }
    }
}
