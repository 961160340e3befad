package wanka.data.mix;

import wanka.data.TokenShard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** A named set of token shards that is sampled as one unit of a {@link DomainMixture}. */
public record Domain(String name, List<TokenShard> shards) {

    public Domain {
        if (name.isBlank()) throw new IllegalArgumentException("domain name is blank");
        if (shards.isEmpty()) throw new IllegalArgumentException("domain '" + name + "' has no shards");
        shards = List.copyOf(shards);
    }

    /** Total tokens. */
    public long tokens() {
        return shards.stream().mapToLong(TokenShard::size).sum();
    }

    /**
     * Opens the pipeline's per-domain layout: every sub-directory of {@code tokensDir} is a domain, its
     * {@code *.tokens} files (sorted by name) its shards. Domains are sorted by name. The caller closes the shards.
     */
    public static List<Domain> scan(Path tokensDir) throws IOException {
        List<Domain> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(tokensDir)) {
            for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
                List<Path> files;
                try (Stream<Path> f = Files.list(d)) {
                    files = f.filter(p -> p.getFileName().toString().endsWith(".tokens")).sorted().toList();
                }
                if (files.isEmpty()) continue;
                List<TokenShard> shards = new ArrayList<>();
                for (Path p : files) shards.add(TokenShard.open(p));
                out.add(new Domain(d.getFileName().toString(), shards));
            }
        }
        if (out.isEmpty()) throw new IOException(tokensDir + ": no <domain>/*.tokens shards found");
        return out;
    }
}
