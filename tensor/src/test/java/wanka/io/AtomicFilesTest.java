package wanka.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private void assertOnlyFileIs(Path p) throws IOException {
        try (Stream<Path> files = Files.list(p.getParent())) {
            assertThat(files).containsExactly(p);
        }
    }

    @Test
    void writeReplacesTheTargetAndLeavesNoTemporaryFile() throws IOException {
        Path p = dir.resolve("sub/x.json");
        AtomicFiles.write(p, "old".getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(p, "new".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readString(p)).isEqualTo("new");
        assertOnlyFileIs(p);
    }

    @Test
    void aFailingBodyLeavesTheTargetUnchangedAndNoTemporaryFile() throws IOException {
        Path p = dir.resolve("x.bin");
        Files.writeString(p, "old");
        assertThatThrownBy(() -> AtomicFiles.write(p, ch -> {
            AtomicFiles.writeFully(ch, ByteBuffer.wrap("new partial".getBytes(StandardCharsets.UTF_8)));
            throw new IOException("disk full");
        })).hasMessage("disk full");
        assertThat(Files.readString(p)).isEqualTo("old");
        assertOnlyFileIs(p);
    }

    @Test
    void aFailingBodyCreatesNoTargetWhenThereWasNone() {
        Path p = dir.resolve("none.bin");
        assertThatThrownBy(() -> AtomicFiles.write(p, ch -> {
            throw new IOException("no");
        })).hasMessage("no");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void openWritesOnlyOnCommitAndTheTemporaryFileIsHiddenBesideTheTarget() throws IOException {
        Path p = dir.resolve("data.txt");
        Files.writeString(p, "old");
        try (AtomicFiles.Output out = AtomicFiles.open(p)) {
            out.writer().write("line 1\n");
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.map(f -> f.getFileName().toString()))
                        .anySatisfy(n -> assertThat(n).startsWith(".data.txt.").endsWith(".tmp"))
                        .contains("data.txt");
            }
            assertThat(Files.readString(p)).isEqualTo("old");
            out.commit();
        }
        assertThat(Files.readString(p)).isEqualTo("line 1\n");
        assertOnlyFileIs(p);
    }

    @Test
    void closingAWrapperOnlyFlushesSoTheCommitStillWorks() throws IOException {
        Path p = dir.resolve("ints.bin");
        try (AtomicFiles.Output out = AtomicFiles.open(p)) {
            try (DataOutputStream d = new DataOutputStream(out.stream())) {
                d.writeInt(7);
                d.writeInt(9);
            }
            out.commit();
        }
        assertThat(Files.readAllBytes(p)).containsExactly(0, 0, 0, 7, 0, 0, 0, 9);
    }

    @Test
    void aStreamingWriterThatThrowsHalfwayLeavesTheOldFileIntact() throws IOException {
        Path p = dir.resolve("shard.bin");
        Files.writeString(p, "complete old file");
        assertThatThrownBy(() -> {
            try (AtomicFiles.Output out = AtomicFiles.open(p)) {
                out.stream().write(new byte[200_000]); // more than the buffer: bytes reach the temporary file
                throw new IllegalStateException("token id out of range");
            }
        }).hasMessage("token id out of range");
        assertThat(Files.readString(p)).isEqualTo("complete old file");
        assertOnlyFileIs(p);
    }

    @Test
    void aPositionedWriteAfterFlushingPatchesTheHeader() throws IOException {
        Path p = dir.resolve("h.bin");
        try (AtomicFiles.Output out = AtomicFiles.open(p)) {
            out.stream().write(new byte[]{0, 0, 5, 6});
            out.stream().flush();
            out.channel().write(ByteBuffer.wrap(new byte[]{1, 2}), 0);
            out.commit();
        }
        assertThat(Files.readAllBytes(p)).containsExactly(1, 2, 5, 6);
    }

    @Test
    void aFailedRenameLeavesNoTemporaryFile() throws IOException {
        Path p = dir.resolve("taken");
        Files.createDirectories(p.resolve("child")); // a non-empty folder cannot be replaced by a file
        assertThatThrownBy(() -> AtomicFiles.write(p, new byte[]{1})).isInstanceOf(IOException.class);
        assertThat(p.resolve("child")).isDirectory();
        assertOnlyFileIs(p);
    }
}
