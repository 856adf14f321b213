#!/bin/sh
# Every input under tests/fuzz/NAME/ (a crash, hang or leak the fuzzers
# found, kept as a regression test) and the seed corpus fuzz/corpus/NAME/
# go through the harness fuzz/fuzz_NAME.c again, built as
# tests/replay_NAME.  A crash fails; in the sanitizer build ASan/UBSan and
# LeakSanitizer reports fail too, and $TEST_WRAPPER (valgrind in CI) is
# put in front of each run when set.
set -u
pass=0 fail=0
for name in remedy regfile article draft txlog hive; do
	files=
	for d in "$top_srcdir/tests/fuzz/$name" "$top_srcdir/fuzz/corpus/$name"
	do
		[ -d "$d" ] || continue
		for f in "$d"/*; do
			[ -f "$f" ] && files="$files $f"
		done
	done
	[ -n "$files" ] || continue
	# shellcheck disable=SC2086
	if ${TEST_WRAPPER:-} "$top_builddir/tests/replay_$name" $files \
	    > "replay-$name.out" 2>&1; then
		echo "ok: $name: $(tail -n 1 "replay-$name.out")"
		pass=$((pass + 1))
	else
		echo "FAIL: $name (exit $?):"
		tail -n 40 "replay-$name.out"
		fail=$((fail + 1))
	fi
	rm -f "replay-$name.out"
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
