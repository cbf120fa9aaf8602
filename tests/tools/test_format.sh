#!/bin/sh
# The one dialect (STYLE.md rule 13): every C file of ours is as clang-format leaves it under the root's
# .clang-format, and every header's include guard follows its path (net/smtp.h: NET_SMTP_H). third_party/ is
# upstream's. Fix with `make format`. Run from anywhere: tests/tools/test_format.sh. Last line: "N passed, M failed";
# exit 1 on failure.
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
pass=0
fail=0
clang_format=${CLANG_FORMAT:-clang-format-16}

if ! command -v "$clang_format" >/dev/null; then
	echo "FAIL $clang_format is not installed (tools/setup installs it)"
	echo "0 passed, 1 failed"
	exit 1
fi

for f in $(git ls-files '*.c' '*.h' | grep -v '^third_party/'); do
	if "$clang_format" --dry-run -Werror "$f" >/dev/null 2>&1; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $f is not formatted (first difference below; \`make format\` fixes it)"
		"$clang_format" --dry-run "$f" 2>&1 | head -3
	fi
done

for h in $(git ls-files '*.h' | grep -v '^third_party/'); do
	guard=$(echo "$h" | tr 'a-z' 'A-Z' | sed 's/[^A-Z0-9]/_/g')
	if grep -q "^#ifndef $guard\$" "$h" && grep -q "^#define $guard\$" "$h"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $h: its include guard is not $guard"
	fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
