#!/usr/bin/env bash
# Generates curate/src/main/resources/wanka/curate/clean/t2s.tsv (traditional -> simplified Chinese, one character each)
# from the Unihan kSimplifiedVariant field shipped by Debian's unicode-data package.
# Usage: scripts/unihan-t2s.sh [Unihan_Variants.txt(.bz2)]   (needs: apt-get install unicode-data)
# Rule: for each "U+XXXX<TAB>kSimplifiedVariant<TAB>U+YYYY[ U+ZZZZ ...]" line whose first variant differs from the
# character itself, map XXXX -> the first listed variant. Output lines are "trad<TAB>simp" (UTF-8) in code point order.
set -euo pipefail
src="${1:-/usr/share/unicode/Unihan_Variants.txt.bz2}"
out="$(cd "$(dirname "$0")/.." && pwd)/curate/src/main/resources/wanka/curate/clean/t2s.tsv"
[ -r "$src" ] || { echo "unihan-t2s: $src not found (apt-get install unicode-data)" >&2; exit 1; }
case "$src" in *.bz2) reader=(bzcat "$src");; *) reader=(cat "$src");; esac
"${reader[@]}" | perl -CSD -ne '
  next unless /^U\+([0-9A-F]+)\tkSimplifiedVariant\tU\+([0-9A-F]+)/;
  $m{hex $1} = hex $2 if $1 ne $2;
  END { printf "%s\t%s\n", chr($_), chr($m{$_}) for sort { $a <=> $b } keys %m }' > "$out"
echo "unihan-t2s: wrote $(wc -l < "$out") mappings to $out ($(wc -c < "$out") bytes)"
