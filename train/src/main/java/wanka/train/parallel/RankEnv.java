package wanka.train.parallel;

import wanka.dist.DeviceMesh;
import wanka.model.TeleChat2Config;
import wanka.tensor.CpuDevice;

/** What every part of one rank's training needs to know: the model, the layout, its mesh, its communication, its device. */
record RankEnv(TeleChat2Config config, ParallelLayout layout, DeviceMesh mesh, Comm comm, CpuDevice device, int seq) {
    int tpRank() {
        return mesh.tp().rank();
    }

    int tpSize() {
        return mesh.tp().size();
    }
}
