package wanka.cli;

import picocli.CommandLine.Option;
import wanka.train.store.CheckpointStore;
import wanka.train.store.DirectoryStore;
import wanka.train.store.HostNaming;
import wanka.train.store.PeerMemory;
import wanka.train.store.S3Store;
import wanka.train.store.StorageLevel;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The checkpoint storage levels of a parallel {@code pretrain} besides the run directory (level 2, --checkpoint-every):
 * level 1 in memory ({@code /dev/shm}) with a mirror, level 3 a shared directory or an S3-compatible object store.
 */
final class StorageOptions {
    @Option(names = "--memory-checkpoints", paramLabel = "DIR", description = "Level 1: checkpoints in memory outside the workers, e.g. /dev/shm/wanka/run1.")
    Path memory;

    @Option(names = "--memory-mirror", paramLabel = "DIR", description = "Level 1's copy in a peer's area (default: DIR-mirror).")
    Path memoryMirror;

    @Option(names = "--memory-peer-copies", description = {"Level 1 on peer hosts (Gemini): each rank's shard is kept in its host's area and copied, over the job's",
            "process group, to a rank on the next host; after a lost host a resume gathers its shards from the copies. {host} in DIR is",
            "replaced by the host's name ($WANKA_HOST, else the hostname, or --simulated-hosts). Replaces --memory-mirror."})
    boolean memoryPeerCopies;

    @Option(names = "--simulated-hosts", split = ",", paramLabel = "HOST", description = "Pretend the ranks run on these hosts (equal consecutive blocks of ranks), to try level 1 on peer hosts on one machine.")
    List<String> simulatedHosts;

    @Option(names = "--memory-every", defaultValue = "1", paramLabel = "N", description = "Level 1 interval in steps (default: ${DEFAULT-VALUE}).")
    int memoryEvery;

    @Option(names = "--memory-keep", defaultValue = "2", paramLabel = "N", description = "Level 1 checkpoints kept (default: ${DEFAULT-VALUE}).")
    int memoryKeep;

    @Option(names = "--shared-checkpoints", paramLabel = "DIR|s3://BUCKET/PREFIX",
            description = "Level 3: a directory on a shared filesystem or an S3-compatible object store (credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).")
    String shared;

    @Option(names = "--shared-every", defaultValue = "0", paramLabel = "N", description = "Level 3 interval in steps (default: 4 × --checkpoint-every).")
    int sharedEvery;

    @Option(names = "--shared-keep", defaultValue = "0", paramLabel = "N", description = "Level 3 checkpoints kept; 0 = all (default).")
    int sharedKeep;

    @Option(names = "--s3-endpoint", paramLabel = "URL", description = "The object store's endpoint, e.g. http://127.0.0.1:9000 (MinIO, s3proxy, Ceph).")
    URI s3Endpoint;

    @Option(names = "--s3-region", defaultValue = "us-east-1", paramLabel = "REGION", description = "The object store's region (default: ${DEFAULT-VALUE}).")
    String s3Region;

    /** Level 1 on peer hosts, if asked for (null: not). */
    PeerMemory peerMemory() {
        if (!memoryPeerCopies) return null;
        if (memory == null) throw new IllegalArgumentException("--memory-peer-copies needs --memory-checkpoints DIR (each host's level-1 area; {host} is replaced by the host's name)");
        if (memoryMirror != null) throw new IllegalArgumentException("give either --memory-mirror or --memory-peer-copies, not both");
        HostNaming hosts = simulatedHosts != null && !simulatedHosts.isEmpty() ? HostNaming.simulated(simulatedHosts) : HostNaming.fromEnvironment();
        return new PeerMemory(memory.toString(), hosts, Math.max(1, memoryEvery), memoryKeep);
    }

    /** The levels asked for (none by default). */
    List<StorageLevel> levels(int checkpointEvery) {
        List<StorageLevel> out = new ArrayList<>();
        if (memory != null && !memoryPeerCopies) {
            Path mirror = memoryMirror != null ? memoryMirror : memory.resolveSibling(memory.getFileName() + "-mirror");
            out.add(new StorageLevel(1, "memory", DirectoryStore.mirrored(memory, mirror), memoryEvery, memoryKeep));
        }
        if (shared != null) {
            CheckpointStore store;
            if (shared.startsWith("s3://")) {
                String rest = shared.substring(5);
                int slash = rest.indexOf('/');
                String bucket = slash < 0 ? rest : rest.substring(0, slash), prefix = slash < 0 ? "" : rest.substring(slash + 1);
                if (s3Endpoint == null) throw new IllegalArgumentException("--shared-checkpoints " + shared + " needs --s3-endpoint");
                String key = System.getenv("AWS_ACCESS_KEY_ID"), secret = System.getenv("AWS_SECRET_ACCESS_KEY");
                if (key == null || secret == null) throw new IllegalArgumentException("--shared-checkpoints " + shared + ": set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
                store = S3Store.connect(s3Endpoint, s3Region, key, secret, bucket, prefix);
            } else {
                store = DirectoryStore.at(Path.of(shared));
            }
            out.add(new StorageLevel(3, "shared store", store, sharedEvery > 0 ? sharedEvery : 4 * Math.max(1, checkpointEvery), sharedKeep));
        }
        return out;
    }
}
