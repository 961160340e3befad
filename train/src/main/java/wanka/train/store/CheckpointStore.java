package wanka.train.store;

import wanka.model.TeleChat2Config;
import wanka.train.CheckpointLayout;
import wanka.train.Checkpoints;
import wanka.train.RankShard;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Where sharded checkpoints are kept at one storage level: a directory (in memory under {@code /dev/shm}, on local
 * disk, or on a shared filesystem) or an S3-compatible object store. Every store follows the same protocol: each
 * rank writes its shard into the step's staging area, world rank 0 waits for every rank's shard index and then
 * commits the checkpoint by writing its manifest last, so a checkpoint without a manifest does not exist; a
 * committed checkpoint is never overwritten.
 */
public sealed interface CheckpointStore permits DirectoryStore, S3Store {

    /** The store in messages: its directory, or {@code s3://bucket/prefix at endpoint}. */
    String describe();

    /** Writes {@code shard} (rank {@code shard.rank()}'s part of checkpoint {@code shard.step()}) into the staging area. */
    void writeShard(RankShard shard) throws IOException;

    /** Records, best effort, that {@code rank} failed to write its shard of {@code step}, so rank 0 does not wait for it. */
    void markFailed(long step, int rank, String reason);

    /** Commits checkpoint {@code step} once every rank of {@code layout} has written its shard (world rank 0 calls this). */
    void commit(long step, CheckpointLayout layout, Checkpoints.State state, TeleChat2Config config, Duration timeout) throws IOException;

    /** The committed checkpoints' steps, newest first. */
    List<Long> committedSteps() throws IOException;

    /**
     * A local directory holding committed checkpoint {@code step}, to verify and read: the store's own for a directory,
     * a download into {@code scratch} for an object store. Not verified here.
     */
    Path fetch(long step, Path scratch) throws IOException;

    /** Where {@link #fetch} puts (or finds) {@code step}, without fetching: for the ranks that read what rank 0 fetched. */
    Path local(long step, Path scratch);

    /**
     * Removes what writes left uncommitted (partial directories, uploads without a manifest, failure markers), so
     * that a restarted job writes its checkpoints afresh; committed checkpoints are untouched. Returns what it removed.
     */
    List<String> clearStaging() throws IOException;

    /** Deletes committed checkpoints beyond the newest {@code keep} (0: keep all); returns their descriptions. */
    List<String> prune(int keep) throws IOException;
}
