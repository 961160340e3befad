package wanka.train.store;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;

/**
 * A real S3-compatible server for tests: s3proxy (Maven Central) with a filesystem backend under {@code dir},
 * listening on a free port of 127.0.0.1 only, with one bucket. {@link #stop} takes it away (the store "goes away").
 */
public final class LocalS3 implements AutoCloseable {
    public static final String ACCESS = "wanka-test", SECRET = "wanka-test-secret", BUCKET = "checkpoints";

    private final S3Proxy proxy;
    private final BlobStoreContext context;
    private final URI endpoint;

    private LocalS3(S3Proxy proxy, BlobStoreContext context, URI endpoint) {
        this.proxy = proxy;
        this.context = context;
        this.endpoint = endpoint;
    }

    public static LocalS3 start(Path dir) throws Exception {
        Properties p = new Properties();
        p.setProperty("jclouds.filesystem.basedir", dir.toString());
        BlobStoreContext context = ContextBuilder.newBuilder("filesystem").credentials("identity", "credential").overrides(p).build(BlobStoreContext.class);
        context.getBlobStore().createContainerInLocation(null, BUCKET);
        S3Proxy proxy = S3Proxy.builder().blobStore(context.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET).build();
        proxy.start();
        for (int i = 0; i < 5000 && !"STARTED".equals(proxy.getState()); i++) Thread.sleep(1);
        return new LocalS3(proxy, context, URI.create("http://127.0.0.1:" + proxy.getPort()));
    }

    public URI endpoint() {
        return endpoint;
    }

    /** A store on this server under {@code prefix}, retrying briefly (tests). */
    public S3Store store(String prefix) {
        return S3Store.connect(endpoint, "us-east-1", ACCESS, SECRET, BUCKET, prefix).withRetries(3, java.time.Duration.ofMillis(50));
    }

    public void stop() throws Exception {
        if (!"STOPPED".equals(proxy.getState())) proxy.stop();
    }

    @Override
    public void close() throws Exception {
        stop();
        context.close();
    }
}
