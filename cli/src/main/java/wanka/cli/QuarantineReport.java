package wanka.cli;

import wanka.align.sft.Quarantined;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What sft, rm, dpo, west-of-n and select say about their input: one summary line on stderr, and when lines were
 * quarantined, the first three of them and {@code <out>/quarantine.jsonl} with all of them (file, line, reason).
 */
final class QuarantineReport {
    static final String FILE = "quarantine.jsonl";

    private QuarantineReport() {
    }

    /** Prints {@code label: summary}; writes and points to the quarantine file when there is something in it. */
    static void print(String label, String summary, List<Quarantined> quarantined, Path outDir) throws IOException {
        System.err.println(label + ": " + summary);
        if (quarantined.isEmpty()) return;
        Path file = outDir.resolve(FILE);
        Quarantined.write(quarantined, file);
        quarantined.stream().limit(3).forEach(q -> System.err.println("  quarantined " + q));
        System.err.println("  all " + quarantined.size() + " in " + file);
    }
}
