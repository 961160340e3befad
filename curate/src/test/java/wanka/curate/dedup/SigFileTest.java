package wanka.curate.dedup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SigFileTest {

    @Test
    void writesRecordsSortedByKeyThenIndex(@TempDir Path dir) throws Exception {
        Random r = new Random(5);
        int n = 5000;
        long[] hi = new long[n], lo = new long[n];
        int[] idx = new int[n];
        List<SigFile.Entry> want = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            hi[i] = r.nextInt(50) - 25; // many equal keys
            lo[i] = r.nextInt(3);
            idx[i] = i;
            want.add(new SigFile.Entry(hi[i], lo[i], 7, i));
        }
        want.sort(null);
        Path f = SigFile.path(dir, 3, 7);
        SigFile.write(f, hi, lo, idx, n, 7);
        assertThat(f).hasFileName("task-00007.bin").hasParent(dir.resolve("band-03"));
        try (var files = Files.list(f.getParent())) {
            assertThat(files).containsExactly(f); // no temporary file left
        }
        List<SigFile.Entry> got = new ArrayList<>();
        try (SigFile.Reader rd = new SigFile.Reader(f)) {
            for (SigFile.Entry e; (e = rd.next()) != null; ) got.add(e);
        }
        assertThat(got).isEqualTo(want);
    }

    @Test
    void rejectsOtherFiles(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("x.bin"), "hello");
        assertThatThrownBy(() -> new SigFile.Reader(f)).hasMessageContaining(f.toString()).hasMessageContaining("not a wanka signature file");
    }
}
