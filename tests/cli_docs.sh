#!/bin/sh
# cli_docs.sh: the generated documents are current and the library ships
# whole.  docs/remedies.md is what "kbfix list --format md" prints of the
# library, docs/coverage.md what docs/mkcoverage makes of
# tests/draft-corpus.txt, the remedies and docs/coverage-notes.txt ("make
# docs" writes both); every remedies/*.xml is in Makefile.am's
# dist_remedies_DATA, so that make install and make dist take it, and
# every file listed there exists.
set -u
: "${top_srcdir:?}" "${KBFIX:?}"
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/clilib.sh"

KBFIX_REMEDY_DIR=$top_srcdir/remedies "$KBFIX" list --format md \
    > "$tmp/remedies.md" 2> "$tmp/err" || bad "kbfix list --format md: $(cat "$tmp/err")"
if diff -u "$top_srcdir/docs/remedies.md" "$tmp/remedies.md" >&2; then
	ok
else
	bad "docs/remedies.md is not current: make docs"
fi
"$top_srcdir/docs/mkcoverage" "$top_srcdir/tests/draft-corpus.txt" \
    "$top_srcdir/remedies" "$top_srcdir/docs/coverage-notes.txt" \
    > "$tmp/coverage.md" || bad "docs/mkcoverage failed"
if diff -u "$top_srcdir/docs/coverage.md" "$tmp/coverage.md" >&2; then
	ok
else
	bad "docs/coverage.md is not current: make docs"
fi
# Every article of the corpus has its line.
narts=$(grep -v "^#" "$top_srcdir/tests/draft-corpus.txt" | grep -c .)
[ "$(grep -c '^| Q' "$top_srcdir/docs/coverage.md")" -eq "$narts" ] &&
    ok || bad "docs/coverage.md does not have the $narts articles of the corpus"

# Makefile.am's dist_remedies_DATA, one file a line.
sed -n '/^dist_remedies_DATA *=/,/[^\\]$/p' "$top_srcdir/Makefile.am" |
    tr ' \t\\' '\n\n\n' | grep '^remedies/' | LC_ALL=C sort > "$tmp/listed"
(cd "$top_srcdir" && ls remedies/*.xml remedies/remedy.xsd) | LC_ALL=C sort \
    > "$tmp/present"
if cmp -s "$tmp/listed" "$tmp/present"; then
	ok
else
	bad "dist_remedies_DATA in Makefile.am and remedies/ differ (-: listed only, +: present only):"
	diff "$tmp/listed" "$tmp/present" | grep '^[<>]' | sed 's/^</-/; s/^>/+/' >&2
fi
finish
