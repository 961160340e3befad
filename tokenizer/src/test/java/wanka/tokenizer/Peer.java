package wanka.tokenizer;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the Python SentencePiece peer ({@code /usr/bin/python3} with Debian python3-sentencepiece). */
public final class Peer {
    public static final String PYTHON = "/usr/bin/python3";

    private Peer() { }

    /** Skips the calling test unless python sentencepiece imports. */
    public static void assumeSentencePiece() {
        boolean ok;
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import sentencepiece").redirectErrorStream(true).start();
            ok = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            ok = false;
        }
        Assumptions.assumeTrue(ok, "python3-sentencepiece is not installed: skipping SentencePiece peer parity");
    }

    /** Runs python with arguments; returns stdout, failing on a non-zero exit. */
    public static String python(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(PYTHON);
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new AssertionError("python failed: " + cmd + "\n" + out);
        return out;
    }

    /** Peer ids of every line of {@code corpus} with {@code model}, one list per line. */
    public static List<int[]> ids(Path model, Path corpus, Path tmp) throws IOException, InterruptedException {
        Path out = tmp.resolve("peer-ids.jsonl");
        python(script().toString(), "ids", model.toString(), corpus.toString(), out.toString());
        List<int[]> res = new ArrayList<>();
        for (String l : Files.readAllLines(out)) {
            String body = l.substring(1, l.length() - 1).strip();
            res.add(body.isEmpty() ? new int[0] : Arrays.stream(body.split(",")).mapToInt(x -> Integer.parseInt(x.strip())).toArray());
        }
        return res;
    }

    /**
     * The shared peer script: {@code $WANKA_PEERS/peer_sentencepiece.py}, else {@code shared/bench/} beside the checkout
     * (tests run in a module folder, so that is two levels up).
     */
    public static Path script() {
        String env = System.getenv("WANKA_PEERS");
        Path module = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        Path s = env != null ? Path.of(env, "peer_sentencepiece.py") : module.getParent().getParent().resolve("shared/bench/peer_sentencepiece.py");
        Assumptions.assumeTrue(Files.exists(s), "peer script not found at " + s + " (set WANKA_PEERS to the shared bench folder)");
        return s;
    }
}
