package wanka.curate.steps;

import wanka.curate.pipeline.Document;
import wanka.curate.pipeline.Step;
import wanka.curate.pipeline.StepContext;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Tags documents with a domain by rules, first match wins: a glob on the document's source, or a regular
 * expression found in its text; otherwise {@code default} (documents keep an existing domain unless
 * {@code override} is set). Config:
 * <pre>
 * - type: domain_tag
 *   rules:
 *     - {domain: code, pattern: "\\b(public class|def |#include)"}
 *     - {domain: law, source: "*.law.jsonl"}
 *   default: web
 * </pre>
 */
public final class DomainTagger implements Step {
    /** One rule: a source glob or a text pattern. */
    public record Rule(String domain, PathMatcher source, Pattern pattern) {
        boolean matches(Document d) {
            if (source != null && !d.source().isEmpty() && source.matches(Path.of(d.source()).getFileName())) return true;
            return pattern != null && pattern.matcher(d.text()).find();
        }
    }

    private final List<Rule> rules;
    private final String fallback;
    private final boolean override;

    public DomainTagger(List<Rule> rules, String fallback, boolean override) {
        this.rules = List.copyOf(rules);
        this.fallback = fallback;
        this.override = override;
    }

    /** Builds a rule; {@code sourceGlob} or {@code regex} may be null (not both). */
    public static Rule rule(String domain, String sourceGlob, String regex) {
        if (domain == null || domain.isBlank()) throw new IllegalArgumentException("step 'domain_tag': every rule needs a 'domain'");
        if (sourceGlob == null && regex == null) throw new IllegalArgumentException("step 'domain_tag': rule for '" + domain + "' needs 'source' or 'pattern'");
        return new Rule(domain, sourceGlob == null ? null : FileSystems.getDefault().getPathMatcher("glob:" + sourceGlob),
                regex == null ? null : Pattern.compile(regex));
    }

    @Override
    public String name() {
        return "domain_tag";
    }

    @Override
    public Document apply(Document doc, StepContext ctx) {
        if (!override && !doc.domain().isEmpty()) return doc;
        for (Rule r : rules) {
            if (r.matches(doc)) {
                ctx.count("tagged_" + r.domain(), 1);
                return doc.domain().equals(r.domain()) ? doc : doc.with(Document.DOMAIN, r.domain());
            }
        }
        if (fallback == null || fallback.equals(doc.domain())) return doc;
        ctx.count("tagged_default", 1);
        return doc.with(Document.DOMAIN, fallback);
    }
}
