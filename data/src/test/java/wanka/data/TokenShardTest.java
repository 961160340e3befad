package wanka.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenShardTest {

    @Test
    void writtenShardMatchesTheDocumentedLayout(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("a.tokens");
        try (TokenShardWriter w = new TokenShardWriter(p, 1000, 2)) {
            w.addDocument(new int[]{10, 999, 0});
            w.addDocument(new int[]{7});
        }
        // Decode by hand from docs/formats.md.
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[8];
        b.get(magic);
        assertThat(new String(magic, StandardCharsets.US_ASCII)).isEqualTo("WKTOKENS");
        assertThat(b.getInt(8)).isEqualTo(1);
        assertThat(b.getInt(12)).isEqualTo(2);
        assertThat(b.getLong(16)).isEqualTo(6);
        assertThat(b.getInt(24)).isEqualTo(1000);
        assertThat(b.getLong(32)).isEqualTo(2);
        assertThat(b.getInt(40)).isEqualTo(2);
        int[] expected = {10, 999, 0, 2, 7, 2};
        for (int i = 0; i < expected.length; i++) assertThat(Short.toUnsignedInt(b.getShort(64 + 2 * i))).isEqualTo(expected[i]);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(Files.readAllBytes(p), 64, 12);
        assertThat(b.getInt(28)).isEqualTo((int) crc.getValue());
        try (TokenShard s = TokenShard.open(p)) {
            int[] got = new int[6];
            s.read(0, got, 0, 6);
            assertThat(got).containsExactly(expected);
            assertThat(s.documents()).isEqualTo(2);
        }
    }

    @Test
    void largeVocabulariesUseFourBytes(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("big.tokens");
        try (TokenShardWriter w = new TokenShardWriter(p, 131072, 2)) {
            w.addDocument(new int[]{131071, 70000});
        }
        try (TokenShard s = TokenShard.open(p)) {
            assertThat(s.token(0)).isEqualTo(131071);
            assertThat(s.token(1)).isEqualTo(70000);
        }
    }

    /** Rewrites the header's vocabulary size; the checksum covers only the tokens, so it still matches. */
    static void setHeaderVocab(Path p, int vocab) throws IOException {
        byte[] b = Files.readAllBytes(p);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(24, vocab);
        Files.write(p, b);
    }

    @Test
    void idsNotBelowTheHeadersVocabularyAreRejectedWithFileIdAndPosition(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("a.tokens");
        try (TokenShardWriter w = new TokenShardWriter(p, 1000, 2)) {
            w.addDocument(new int[]{5, 40, 999, 7});
        }
        setHeaderVocab(p, 100);
        assertThatThrownBy(() -> TokenShard.open(p)).hasMessageContaining(p.toString())
                .hasMessageContaining("token id 999 at position 2").hasMessageContaining("vocabulary size 100");
        Path big = dir.resolve("big.tokens");
        try (TokenShardWriter w = new TokenShardWriter(big, 131072, 2)) {
            w.addDocument(new int[]{70000, 131071});
        }
        setHeaderVocab(big, 100000);
        assertThatThrownBy(() -> TokenShard.open(big)).hasMessageContaining("token id 131071 at position 1").hasMessageContaining("100000");
        setHeaderVocab(big, 2); // the end-of-document id 2 is itself outside
        assertThatThrownBy(() -> TokenShard.open(big)).hasMessageContaining("end-of-document id 2");
    }

    @Test
    void corruptTruncatedAndForeignFilesAreRejectedByName(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("a.tokens");
        try (TokenShardWriter w = new TokenShardWriter(p, 100, 2)) {
            w.addDocument(new int[]{1, 2, 3, 4});
        }
        byte[] good = Files.readAllBytes(p);
        byte[] flipped = good.clone();
        flipped[good.length - 2] ^= 4;
        Files.write(p, flipped);
        assertThatThrownBy(() -> TokenShard.open(p)).hasMessageContaining(p.toString()).hasMessageContaining("checksum");
        Files.write(p, java.util.Arrays.copyOf(good, good.length - 1));
        assertThatThrownBy(() -> TokenShard.open(p)).hasMessageContaining("truncated");
        Files.writeString(p, "hello, this is not a shard at all, just some text of some length.......");
        assertThatThrownBy(() -> TokenShard.open(p)).hasMessageContaining("magic");
    }

    @Test
    void outOfVocabularyIdsAndFailedWritesLeaveNothingBehind(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("x.tokens");
        TokenShardWriter w = new TokenShardWriter(p, 10, 2);
        assertThatThrownBy(() -> w.addDocument(new int[]{3, 10})).hasMessageContaining("token id 10").hasMessageContaining(p.toString());
        w.abort();
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).isEmpty();
        }
    }

    @Test
    void aWriterThatFailsHalfwayLeavesTheOldShardIntact(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("x.tokens");
        try (TokenShardWriter w = new TokenShardWriter(p, 10, 2)) {
            w.addDocument(new int[]{1, 3});
        }
        byte[] before = Files.readAllBytes(p);
        TokenShardWriter w = new TokenShardWriter(p, 10, 2);
        for (int d = 0; d < 50_000; d++) w.addDocument(new int[]{4, 5, 6}); // past the write buffer: the temporary file has content
        assertThatThrownBy(() -> w.addDocument(new int[]{7, 11})).hasMessageContaining("token id 11");
        w.abort();
        assertThat(Files.readAllBytes(p)).isEqualTo(before);
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).containsExactly(p);
        }
    }

    @Test
    void batchesDependOnlyOnSeedStepAndMicroIndex(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("a.tokens");
        try (TokenShardWriter w = new TokenShardWriter(p, 500, 2)) {
            for (int d = 0; d < 50; d++) w.addDocument(new java.util.Random(d).ints(30, 3, 500).toArray());
        }
        try (TokenShard s = TokenShard.open(p)) {
            PackedBatches a = new PackedBatches(List.of(s), 3, 8, 7), b = new PackedBatches(List.of(s), 3, 8, 7);
            b.get(5, 0); // sampling other batches first changes nothing
            assertThat(b.get(2, 1).inputs()).containsExactly(a.get(2, 1).inputs());
            assertThat(a.get(2, 0).inputs()).isNotEqualTo(a.get(2, 1).inputs());
            Batch x = a.get(0, 0);
            for (int r = 0; r < 3; r++) {
                for (int i = 0; i < 7; i++) assertThat(x.targets()[r * 8 + i]).isEqualTo(x.inputs()[r * 8 + i + 1]);
            }
            assertThatThrownBy(() -> new PackedBatches(List.of(s), 1, 5000, 1)).hasMessageContaining("fewer than seq+1");
        }
    }
}
