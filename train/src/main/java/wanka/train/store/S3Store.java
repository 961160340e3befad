package wanka.train.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import wanka.model.TeleChat2Config;
import wanka.train.CheckpointLayout;
import wanka.train.CheckpointManifest;
import wanka.train.Checkpoints;
import wanka.train.RankShard;
import wanka.train.ShardIndex;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Checkpoints in an S3-compatible object store (AWS S3, MinIO, Ceph RGW, s3proxy): the files of checkpoint N under
 * {@code <prefix>/step-NNNNNNNN/}, exactly as in a directory. Objects have no rename, so the commit is the manifest:
 * every rank uploads its shard (data first, its index last; files above {@code partSize} as a multipart upload),
 * rank 0 waits for every index, uploads {@code config.json} and {@code trainer_state.json} and then the manifest, and
 * only a prefix with a manifest counts as a checkpoint. A manifest already there is never replaced. Every request
 * is retried {@code attempts} times with doubling back-off on network errors, throttling and server errors; a store
 * that stays away gives an {@link IOException} naming it.
 *
 * @param multipartUploads counts the multipart uploads made (for tests and figures)
 */
public record S3Store(S3Client client, String bucket, String prefix, URI endpoint, long partSize, int attempts, Duration backoff,
                      AtomicLong multipartUploads) implements CheckpointStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern MANIFEST_KEY = Pattern.compile(".*step-(\\d{8})/" + Pattern.quote(CheckpointManifest.FILE));
    /** S3's smallest part but the last. */
    public static final long MIN_PART = 5L << 20;

    public S3Store {
        if (partSize < MIN_PART) throw new IllegalArgumentException("multipart part size must be at least 5 MiB (S3's minimum), got " + partSize);
        if (attempts < 1) throw new IllegalArgumentException("attempts must be >= 1, got " + attempts);
        prefix = prefix.replaceAll("^/+|/+$", "");
    }

    /**
     * A store at {@code endpoint} (path-style addressing, as local S3-compatible servers need) with static credentials;
     * 8 MiB parts, 4 attempts from 200 ms. The SDK's own retries are off, so that these are the only ones.
     */
    public static S3Store connect(URI endpoint, String region, String accessKey, String secretKey, String bucket, String prefix) {
        S3Client client = S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.of(region))
                .forcePathStyle(true)
                // Checksums only where S3 requires them: servers other than AWS (s3proxy, older MinIO) reject the SDK's
                // default trailing checksums; the manifest's CRC-32C checks every file end to end anyway.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .httpClientBuilder(ApacheHttpClient.builder().connectionTimeout(Duration.ofSeconds(2)).socketTimeout(Duration.ofSeconds(30)).expectContinueEnabled(false))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(Duration.ofSeconds(60)))
                .build();
        return new S3Store(client, bucket, prefix, endpoint, 8L << 20, 4, Duration.ofMillis(200), new AtomicLong());
    }

    public S3Store withPartSize(long bytes) {
        return new S3Store(client, bucket, prefix, endpoint, bytes, attempts, backoff, multipartUploads);
    }

    public S3Store withRetries(int attempts, Duration backoff) {
        return new S3Store(client, bucket, prefix, endpoint, partSize, attempts, backoff, multipartUploads);
    }

    @Override
    public String describe() {
        return "s3://" + bucket + "/" + prefix + " at " + endpoint;
    }

    private String key(long step, String rel) {
        return (prefix.isEmpty() ? "" : prefix + "/") + String.format("step-%08d/", step) + rel;
    }

    @Override
    public void writeShard(RankShard shard) throws IOException {
        Path tmp = Files.createTempDirectory("wanka-s3-shard-");
        try {
            ShardIndex index = shard.writeInto(tmp);
            String folder = ShardIndex.folder(shard.rank());
            upload(key(shard.step(), folder + "/" + ShardIndex.DATA), tmp.resolve(folder).resolve(ShardIndex.DATA));
            put(key(shard.step(), folder + "/" + ShardIndex.FILE), index.toBytes()); // last: the rank's part is complete
        } finally {
            deleteTree(tmp);
        }
    }

    @Override
    public void markFailed(long step, int rank, String reason) {
        try {
            put(key(step, ShardIndex.folder(rank) + ".failed"), (reason + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // the store may be the thing that failed; rank 0 then times out
        }
    }

    @Override
    public void commit(long step, CheckpointLayout layout, Checkpoints.State state, TeleChat2Config config, Duration timeout) throws IOException {
        String manifestKey = key(step, CheckpointManifest.FILE);
        if (exists(manifestKey)) throw new IOException(describe() + ": checkpoint step " + step + " is already committed there; it is not overwritten");
        List<CheckpointManifest.Entry> entries = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int r = 0; r < layout.worldSize(); r++) {
            String folder = ShardIndex.folder(r), indexKey = key(step, folder + "/" + ShardIndex.FILE);
            while (!exists(indexKey)) {
                if (exists(key(step, folder + ".failed"))) throw new IOException(describe() + ": rank " + r + " could not upload its shard of step " + step + ": " + new String(get(key(step, folder + ".failed"))).strip());
                if (System.nanoTime() > deadline) throw new IOException(describe() + ": rank " + r + " did not upload its shard of step " + step + " within " + timeout.toMillis() + " ms");
                sleep(Duration.ofMillis(20));
            }
            byte[] indexBytes = get(indexKey);
            entries.add(entry(folder + "/" + ShardIndex.FILE, indexBytes));
            entries.addAll(JSON.readValue(indexBytes, ShardIndex.class).files());
        }
        Path tmp = Files.createTempFile("wanka-config-", ".json");
        byte[] configBytes;
        try {
            config.write(tmp);
            configBytes = Files.readAllBytes(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
        byte[] stateBytes = JSON.writeValueAsBytes(state);
        put(key(step, "config.json"), configBytes);
        put(key(step, "trainer_state.json"), stateBytes);
        entries.add(entry("config.json", configBytes));
        entries.add(entry("trainer_state.json", stateBytes));
        entries.sort(Comparator.comparing(CheckpointManifest.Entry::path));
        put(manifestKey, new CheckpointManifest(CheckpointManifest.FORMAT, step, layout, state, entries).toBytes()); // the commit
    }

    private static CheckpointManifest.Entry entry(String path, byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return new CheckpointManifest.Entry(path, bytes.length, crc.getValue());
    }

    @Override
    public List<Long> committedSteps() throws IOException {
        List<Long> steps = new ArrayList<>();
        for (S3Object o : list(prefix.isEmpty() ? "" : prefix + "/")) {
            Matcher m = MANIFEST_KEY.matcher(o.key());
            if (m.matches()) steps.add(Long.parseLong(m.group(1)));
        }
        steps.sort(Comparator.reverseOrder());
        return steps;
    }

    @Override
    public Path fetch(long step, Path scratch) throws IOException {
        Path dir = local(step, scratch);
        deleteTree(dir);
        Files.createDirectories(dir);
        byte[] manifestBytes = get(key(step, CheckpointManifest.FILE));
        CheckpointManifest manifest = CheckpointManifest.parse(manifestBytes, describe() + " " + key(step, CheckpointManifest.FILE));
        for (CheckpointManifest.Entry e : manifest.files()) {
            Path f = dir.resolve(e.path()).normalize();
            if (!f.startsWith(dir)) throw new IOException(describe() + ": manifest of step " + step + " lists " + e.path() + ", outside the checkpoint");
            Files.createDirectories(f.getParent());
            String k = key(step, e.path());
            retry("download " + k, () -> {
                try (InputStream in = client.getObject(b -> b.bucket(bucket).key(k))) {
                    Files.copy(in, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                return null;
            });
        }
        Files.write(dir.resolve(CheckpointManifest.FILE), manifestBytes);
        return dir;
    }

    @Override
    public Path local(long step, Path scratch) {
        return scratch.resolve((bucket + "/" + prefix).replaceAll("[^A-Za-z0-9._-]", "_")).resolve(String.format("step-%08d", step));
    }

    @Override
    public List<String> clearStaging() throws IOException {
        java.util.Set<Long> committed = new java.util.HashSet<>(committedSteps());
        Pattern stepKey = Pattern.compile(".*?step-(\\d{8})/.*");
        List<String> gone = new ArrayList<>();
        for (S3Object o : list(prefix.isEmpty() ? "" : prefix + "/")) {
            Matcher m = stepKey.matcher(o.key());
            if (m.matches() && !committed.contains(Long.parseLong(m.group(1)))) {
                delete(o.key());
                gone.add(describe() + " " + o.key());
            }
        }
        return gone;
    }

    @Override
    public List<String> prune(int keep) throws IOException {
        if (keep <= 0) return List.of();
        List<Long> steps = committedSteps();
        List<String> gone = new ArrayList<>();
        for (long step : steps.subList(Math.min(keep, steps.size()), steps.size())) {
            delete(key(step, CheckpointManifest.FILE)); // uncommitted first, so a half-deleted prefix is never a checkpoint
            for (S3Object o : list(key(step, ""))) delete(o.key());
            gone.add(describe() + " step " + step);
        }
        return gone;
    }

    // --- requests, each retried ---

    private void upload(String key, Path file) throws IOException {
        long size = Files.size(file);
        if (size <= partSize) {
            retry("upload " + key, () -> client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(file)));
            return;
        }
        String id = retry("start multipart upload " + key, () -> client.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId());
        multipartUploads.incrementAndGet();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            byte[] buf = new byte[(int) partSize];
            try (InputStream in = Files.newInputStream(file)) {
                for (int n = 1; ; n++) {
                    int len = in.readNBytes(buf, 0, buf.length);
                    if (len == 0) break;
                    int part = n;
                    byte[] body = java.util.Arrays.copyOf(buf, len);
                    String etag = retry("upload part " + part + " of " + key, () -> client.uploadPart(b -> b.bucket(bucket).key(key).uploadId(id).partNumber(part),
                            RequestBody.fromBytes(body)).eTag());
                    parts.add(CompletedPart.builder().partNumber(part).eTag(etag).build());
                }
            }
            retry("complete multipart upload " + key, () -> client.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(id).multipartUpload(m -> m.parts(parts))));
        } catch (IOException | RuntimeException e) {
            try {
                client.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(id));
            } catch (SdkException abort) {
                e.addSuppressed(abort);
            }
            throw e;
        }
    }

    private void put(String key, byte[] bytes) throws IOException {
        retry("upload " + key, () -> client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(bytes)));
    }

    private byte[] get(String key) throws IOException {
        return retry("download " + key, () -> client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
    }

    private boolean exists(String key) throws IOException {
        return retry("look up " + key, () -> {
            try {
                client.headObject(b -> b.bucket(bucket).key(key));
                return true;
            } catch (NoSuchKeyException e) {
                return false;
            } catch (S3Exception e) {
                if (e.statusCode() == 404) return false;
                throw e;
            }
        });
    }

    private void delete(String key) throws IOException {
        retry("delete " + key, () -> client.deleteObject(b -> b.bucket(bucket).key(key)));
    }

    private List<S3Object> list(String keyPrefix) throws IOException {
        return retry("list " + keyPrefix, () -> {
            List<S3Object> all = new ArrayList<>();
            client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(keyPrefix)).contents().forEach(all::add);
            return all;
        });
    }

    /** A request to the store. */
    @FunctionalInterface
    private interface Call<T> {
        T run() throws IOException;
    }

    private <T> T retry(String what, Call<T> call) throws IOException {
        SdkException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                return call.run();
            } catch (SdkClientException e) { // connection refused, timeout, reset
                last = e;
            } catch (S3Exception e) {
                if (e.statusCode() < 500 && e.statusCode() != 429) throw new IOException(describe() + ": " + what + ": " + e.getMessage(), e);
                last = e;
            }
            if (attempt < attempts) sleep(backoff.multipliedBy(1L << (attempt - 1)));
        }
        throw new IOException(describe() + ": " + what + " failed after " + attempts + " attempts (store unreachable?): " + last.getMessage(), last);
    }

    private static void sleep(Duration d) throws IOException {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
