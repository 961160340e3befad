package wanka.curate.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A pipeline declared in YAML or JSON:
 * <pre>
 * input:
 *   reader: jsonl            # a registered reader: jsonl | text (one document per line) | paragraphs (blank-line separated) | documents (PDF, DOCX, XLSX, PPTX, ODS)
 *   paths: [data/*.jsonl]    # globs, relative to the config file; one task per matched file; a path without wildcards must exist
 *   domain: web              # optional: tag documents that have no domain
 *   max_document_bytes: 67108864   # optional (64 MiB): longer JSONL lines / text documents are quarantined
 *                                  # (every key but reader, paths and domain is an option of the reader)
 * steps:
 *   - type: normalize
 *   - type: jsonl_writer
 * </pre>
 */
public record PipelineConfig(Path file, StepOptions reader, List<Path> inputs, String defaultDomain, List<StepOptions> steps) {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public static PipelineConfig read(Path file, StepRegistry registry) throws IOException {
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not valid YAML/JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (root == null || !root.isObject()) throw new IOException(file + ": expected a mapping with 'input' and 'steps'");
        JsonNode in = root.path("input");
        if (!in.isObject()) throw new IOException(file + ": missing 'input' section");
        String reader = in.path("reader").asText("jsonl");
        if (!registry.knowsReader(reader)) throw new IOException(file + ": input.reader '" + reader + "' is not one of " + String.join(", ", registry.readers()));
        List<String> globs = new ArrayList<>();
        JsonNode p = in.path("paths");
        if (p.isArray()) p.forEach(x -> globs.add(x.asText()));
        else if (p.isTextual()) globs.add(p.asText());
        if (globs.isEmpty()) throw new IOException(file + ": input.paths is empty");
        Path base = file.toAbsolutePath().getParent();
        List<Path> inputs = new ArrayList<>();
        for (String g : globs) {
            List<Path> matched = expand(base, g);
            // A path without wildcards names one file: its absence is an error now, not a task failing later (or, worse, a file silently left out).
            Path literal = base.resolve(g).normalize();
            if (matched.isEmpty() && !hasWildcard(g)) throw new IOException(file + ": input.paths: " + (Files.isDirectory(literal) ? "not a file: " : "no such file: ") + literal);
            inputs.addAll(matched);
        }
        if (inputs.isEmpty()) throw new IOException(file + ": input.paths " + globs + " match no files");
        List<StepOptions> steps = new ArrayList<>();
        JsonNode s = root.path("steps");
        if (!s.isArray() || s.isEmpty()) throw new IOException(file + ": 'steps' must be a non-empty list");
        for (int i = 0; i < s.size(); i++) {
            JsonNode step = s.get(i);
            String type = step.path("type").asText("");
            if (type.isEmpty()) throw new IOException(file + ": steps[" + i + "] has no 'type'");
            if (!registry.knows(type)) throw new IOException(file + ": steps[" + i + "]: unknown step type '" + type + "'; known types: " + String.join(", ", registry.types()));
            @SuppressWarnings("unchecked")
            Map<String, Object> options = YAML.convertValue(step, LinkedHashMap.class);
            options.remove("type");
            steps.add(new StepOptions(type, options, base));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> readerOptions = YAML.convertValue(in, LinkedHashMap.class);
        readerOptions.keySet().removeAll(List.of("reader", "paths", "domain"));
        StepOptions readerSpec = new StepOptions(reader, readerOptions, base);
        try {
            registry.reader(readerSpec); // options are checked now, not when the first task starts
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": input: " + e.getMessage(), e);
        }
        return new PipelineConfig(file, readerSpec, inputs, in.path("domain").asText(""), steps);
    }

    static List<Path> expand(Path base, String glob) throws IOException {
        Path literal = base.resolve(glob);
        if (!hasWildcard(glob)) return Files.isRegularFile(literal) ? List.of(literal) : List.of();
        int cut = glob.lastIndexOf('/', indexOfWildcard(glob));
        Path dir = cut < 0 ? base : base.resolve(glob.substring(0, cut));
        if (!Files.isDirectory(dir)) return List.of();
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + base.resolve(glob).normalize());
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).filter(x -> m.matches(x.normalize())).sorted().toList();
        }
    }

    private static boolean hasWildcard(String glob) {
        return glob.contains("*") || glob.contains("?") || glob.contains("{");
    }

    private static int indexOfWildcard(String g) {
        int i = g.length();
        for (char c : new char[]{'*', '?', '{'}) {
            int j = g.indexOf(c);
            if (j >= 0) i = Math.min(i, j);
        }
        return i;
    }
}
