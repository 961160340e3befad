package wanka.tensor.ops;

import wanka.tensor.CpuDevice;
import wanka.tensor.Device;
import wanka.tensor.MetaDevice;
import wanka.tensor.Tensor;
import wanka.tensor.cpu.CpuPool;

/** What every op needs to know about where it runs. */
record OpContext(Device device) {

    static OpContext of(Tensor... inputs) {
        return new OpContext(Tensor.sameDevice(inputs));
    }

    boolean meta() {
        return device instanceof MetaDevice;
    }

    CpuPool pool() {
        return ((CpuDevice) device).pool();
    }

    /** Adds an op's cost on the META device (no-op elsewhere). */
    void cost(String op, double flops, double bytes) {
        if (device instanceof MetaDevice m) m.record(op, flops, bytes);
    }

    /** Whether the graph should be recorded for an op with these inputs. */
    boolean record(Tensor... inputs) {
        if (!device.gradEnabled()) return false;
        for (Tensor t : inputs) if (t != null && t.requiresGrad()) return true;
        return false;
    }

    /** The error for an op asked to record a graph through a read-only memory-mapped weight. */
    static IllegalStateException mappedNeedsGrad(String op, Tensor w) {
        return new IllegalStateException(op + ": weight " + (w.name() != null ? "'" + w.name() + "' " : "") + w.shape()
                + " is a read-only memory-mapped weight (inference only) and cannot take part in backward; run under noGrad, "
                + "or load the model with ModelIO.load for training");
    }
}
