package wanka.curate.corpus;

import java.nio.file.Path;

/**
 * The git-ignored cache that {@code wanka corpus fetch} fills: {@code <checkout>/.wanka} when wanka runs from a
 * checkout ({@code bin/wanka} passes {@code -Dwanka.home}), else {@code ~/.cache/wanka}.
 */
public final class CacheDir {
    private CacheDir() {
    }

    /** The cache root. */
    public static Path get() {
        String home = System.getProperty("wanka.home");
        return home != null ? Path.of(home, ".wanka") : Path.of(System.getProperty("user.home"), ".cache", "wanka");
    }

    /** Where catalogue entry {@code name}'s documents (or file) are once fetched into {@code cache}. */
    public static Path product(Path cache, String name) {
        return CorpusFetcher.documents(cache, CorpusCatalog.get(name));
    }
}
