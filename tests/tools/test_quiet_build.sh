#!/usr/bin/env bash
# Tests the build's output: one short line per object by default (kbuild style, "  CC      <object>"), the full
# command with V=1, and a compiler error still shown whole when quiet. Two objects of the default board are built
# into a scratch directory (O=), so the tree's build/ is left alone. Ends with "N passed, M failed".
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
. "$root/tests/lib/tally.sh"

cd "$root" || exit 1
o=$scratch/o
make --no-print-directory O="$o" "$o/net/smtp.o" > "$scratch/out" 2>&1
check "quiet build succeeds" $?
# tools/deps says "deps: up to date" when its script is newer than its stamp.
[[ $(grep -v '^deps: up to date' "$scratch/out") == "  CC      $o/net/smtp.o" ]]
check "quiet build prints one short line per object" $?

make --no-print-directory V=1 O="$o" "$o/net/smtp_reply.o" > "$scratch/out" 2>&1
check "V=1 build succeeds" $?
grep -q -- "-c net/smtp_reply.c -o $o/net/smtp_reply.o" "$scratch/out"
check "V=1 shows the compiler's command" $?
! grep -q '^  CC ' "$scratch/out"
check "V=1 shows no short line" $?

# A file that does not compile: the short line, then the compiler's own message.
mkdir -p "$scratch/src"
printf 'int broken(void) { return missing_name; }\n' > "$scratch/src/broken.c"
make --no-print-directory O="$o" -C "$root" "$o/$scratch/src/broken.o" > "$scratch/out" 2>&1
check "a compile error fails the build" $((! $?))
grep -q "error: .missing_name. undeclared" "$scratch/out"
check "and its message is shown" $?

tally_summary
