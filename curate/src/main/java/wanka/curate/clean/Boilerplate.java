package wanka.curate.clean;

import wanka.curate.pipeline.Document;
import wanka.curate.pipeline.Step;
import wanka.curate.pipeline.StepContext;
import wanka.curate.pipeline.StepOptions;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Removes irrelevant lines (web boilerplate) and passes on the rest; drops the document with
 * {@code boilerplate_empty} when no line remains. A line (trimmed) is removed, and counted under {@code removed_<kind>}, when it is
 * <ul>
 *   <li>{@code nav}: a known navigation/menu phrase (home, menu, skip to content, read more, 首页, 返回顶部, 上一篇, …), or
 *       three or more items of at most three words separated by {@code | » › > · • /} without terminal punctuation;</li>
 *   <li>{@code notice}: a cookie banner phrase (we use cookies, accept cookies, cookie settings, 使用cookie, …) or a
 *       copyright line (starts with ©/(c)/copyright, or says "all rights reserved" or 版权所有) shorter than 200 chars;</li>
 *   <li>{@code url}: only URLs (http(s)://…, www.…) and separators;</li>
 *   <li>{@code code}: an HTML tag, or a line with more than 20% symbol characters that contains one of
 *       {@code { } ; =} (script or style noise).</li>
 * </ul>
 * Options: {@code nav}, {@code notices}, {@code urls}, {@code code} (all true) switch the kinds; {@code extra_phrases}
 * adds exact (case-insensitive) lines to remove.
 */
public record Boilerplate(boolean nav, boolean notices, boolean urls, boolean code, Set<String> extraPhrases) implements Step {
    public static final Set<String> NAV_PHRASES = Set.of("home", "menu", "main menu", "navigation", "skip to content",
            "skip to main content", "back to top", "read more", "read more »", "continue reading", "next", "previous",
            "next page", "previous page", "share", "share this", "share this:", "print", "login", "log in", "sign in",
            "sign up", "register", "subscribe", "search", "search for:", "contact us", "about us", "related posts",
            "tags", "categories", "archives", "首页", "主页", "返回顶部", "返回首页", "上一篇", "下一篇", "上一页", "下一页",
            "登录", "注册", "分享到", "分享", "更多", "阅读全文", "点击查看", "相关文章", "网站导航", "联系我们", "关于我们");
    private static final List<String> COOKIE = List.of("we use cookies", "uses cookies", "use of cookies", "accept cookies",
            "accept all cookies", "cookie settings", "cookie preferences", "cookie policy", "使用cookie", "使用 cookie", "cookie政策");
    private static final Pattern NAV_SEPARATORS = Pattern.compile("\\s*[|»›>·•/]\\s*");
    private static final Pattern URL = Pattern.compile("(?:https?://|www\\.)\\S+");
    private static final Pattern HTML_TAG = Pattern.compile("</?[a-zA-Z][a-zA-Z0-9]*(?:\\s[^<>]*)?/?>");

    public Boilerplate {
        extraPhrases = Set.copyOf(extraPhrases.stream().map(s -> s.strip().toLowerCase(Locale.ROOT)).toList());
    }

    /** Builds the step from its config options. */
    public static Boilerplate from(StepOptions o) {
        return new Boilerplate(o.bool("nav", true), o.bool("notices", true), o.bool("urls", true), o.bool("code", true),
                Set.copyOf(o.strings("extra_phrases", List.of())));
    }

    public static Boilerplate defaults() {
        return from(StepOptions.of("boilerplate"));
    }

    @Override
    public String name() {
        return "boilerplate";
    }

    @Override
    public Document apply(Document doc, StepContext ctx) {
        String[] lines = doc.text().split("\n", -1);
        StringBuilder out = new StringBuilder(doc.text().length());
        boolean removed = false, any = false;
        for (int i = 0; i < lines.length; i++) {
            String kind = kind(lines[i].strip());
            if (kind != null) {
                ctx.count("removed_" + kind, 1);
                removed = true;
                continue;
            }
            if (i > 0 && (any || !lines[i].isBlank())) out.append('\n');
            if (!lines[i].isBlank()) any = true;
            if (any) out.append(lines[i]);
        }
        if (!removed) return doc;
        String text = out.toString().strip();
        if (text.isEmpty()) {
            ctx.drop("boilerplate_empty");
            return null;
        }
        return doc.withText(text);
    }

    /** Why a trimmed line is boilerplate ({@code nav}, {@code notice}, {@code url}, {@code code}) or null when it is content. */
    public String kind(String line) {
        if (line.isEmpty()) return null;
        String lower = line.toLowerCase(Locale.ROOT);
        if (extraPhrases.contains(lower)) return "nav";
        if (urls && (lower.contains("http") || lower.contains("www.")) && URL.matcher(line).replaceAll("").replaceAll("[\\s|,;·•/()\\[\\]<>-]", "").isEmpty()) return "url";
        if (code && isCode(line)) return "code";
        if (nav && (NAV_PHRASES.contains(lower) || isMenu(line))) return "nav";
        if (notices && (C4Quality.containsAny(lower, COOKIE) || isCopyright(lower))) return "notice";
        return null;
    }

    private static boolean isMenu(String line) {
        if (Punctuation.endsTerminal(line) || line.length() > 200) return false;
        String[] items = NAV_SEPARATORS.split(line);
        if (items.length < 3) return false;
        for (String it : items) {
            if (it.isEmpty()) continue;
            int words = Words.of(it).wordCount();
            boolean cjk = Words.isCjk(it.codePointAt(0));
            if (cjk ? it.length() > 6 : words > 3) return false;
        }
        return true;
    }

    private static boolean isCopyright(String lower) {
        if (lower.length() >= 200) return false;
        return lower.startsWith("©") || lower.startsWith("(c)") || lower.startsWith("copyright")
                || lower.contains("all rights reserved") || lower.contains("版权所有");
    }

    private static boolean isCode(String line) {
        if (line.indexOf('<') >= 0 && HTML_TAG.matcher(line).find()) return true;
        int symbols = 0, visible = 0;
        boolean codeChar = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (Words.isSpace(c)) continue;
            visible++;
            if (!Character.isLetterOrDigit(c)) {
                symbols++;
                if ("{};=".indexOf(c) >= 0) codeChar = true;
            }
        }
        return codeChar && symbols * 5 > visible;
    }
}
