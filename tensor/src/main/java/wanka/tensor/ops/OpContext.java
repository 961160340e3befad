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
}
