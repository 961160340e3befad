package wanka.cli;

import wanka.model.TeleChat2Config;
import wanka.train.TrainMemory;

import java.lang.management.ManagementFactory;

/** Refuses a training run that cannot fit in the JVM's heap before it allocates anything, and says what to change. */
final class HeapCheck {
    private HeapCheck() {
    }

    static void requireFits(TeleChat2Config config, int batch, int seq) {
        TrainMemory need = TrainMemory.estimate(config, batch, seq);
        long heap = Runtime.getRuntime().maxMemory();
        if (need.total() <= heap) return;
        long suggestGib = (long) Math.ceil(need.total() * 1.15 / (1L << 30)); // headroom for the collector and the data
        String more = "more heap with WANKA_JAVA_OPTS=-Xmx" + suggestGib + "g";
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long ram = os.getTotalMemorySize();
            if (ram > 0 && need.total() > ram) more = "a machine with more memory (this one has " + TrainMemory.gib(ram) + ")";
        }
        throw new IllegalArgumentException("training this " + String.format("%,d", config.parameterCount()) + "-parameter model with --batch " + batch
                + " --seq " + seq + " needs about " + need + " of heap, but the JVM may use " + TrainMemory.gib(heap)
                + ": use a smaller preset (nano, tiny, small, base), a smaller --batch or --seq, or " + more);
    }
}
