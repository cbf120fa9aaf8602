#!/usr/bin/env bash
# Tests tools/deps against this machine's Debian mirror, in a scratch copy of the tools so that the tree's
# third_party/ is never touched: the good path prints no apt error (it used to print "E: Failed to fetch ... 404"
# for a .dsc the mirror lacks before recovering), unpacks every locked package (a package locked with a subtree: that
# folder alone, its path stripped), and a second run needs nothing; a lock whose SHA-256 does not match the tarball
# unpacks nothing, nor does a subtree the tarball lacks. About 15 s, most of it the downloads.
# Ends with "N passed, M failed".
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
. "$root/tests/lib/tally.sh"

mkdir -p "$scratch/tree/tools"
cp "$root/tools/deps" "$root/tools/deps.lock" "$root/tools/apt-private" "$scratch/tree/tools/"
cd "$scratch/tree" || exit 1

tools/deps > "$scratch/out" 2>&1
check "first run succeeds" $?
! grep -E '^(E|W): |warning|error' "$scratch/out"
check "no apt error or warning on the good path" $?
while read -r kind _ _ tarball _ dir subtree; do
    [[ $kind == dep ]] || continue
    [[ -f $dir/.baremail-deps && -f build/deps/$tarball ]]
    check "$dir unpacked from $tarball" $?
    if [[ -n $subtree ]]; then
        # Only the folder's own files, at the top: fiat's LICENSE, not the tarball's, nor its src/.
        [[ -f $dir/LICENSE && ! -e $dir/src && ! -e $dir/${subtree%%/*} ]] &&
            tar -tf "build/deps/$tarball" | grep "^[^/]*/$subtree/LICENSE$" > /dev/null
        check "$dir holds only $subtree" $?
    fi
done < tools/deps.lock
check "only orig tarballs downloaded" "$(find build/deps -type f ! -name '*.orig.tar.*' | wc -l)"
tools/deps > "$scratch/out" 2>&1 && grep -q '^deps: up to date' "$scratch/out"
check "second run is up to date" $?

# A subtree the tarball does not have: refused, nothing left behind.
if grep -q '^dep .* third_party/fiat ' tools/deps.lock; then
    rm -rf third_party/fiat
    sed -i '/ third_party\/fiat /s/ src\/third_party\/fiat$/ src\/no-such-folder/' tools/deps.lock
    tools/deps > "$scratch/out" 2>&1
    check "a missing subtree fails" $((! $?))
    grep -q 'src/no-such-folder' "$scratch/out"
    check "and names it" $?
    [[ ! -e third_party/fiat && ! -e third_party/fiat.tmp ]]
    check "and unpacks nothing there" $?
    cp "$root/tools/deps.lock" tools/deps.lock
fi

# A wrong pin: the tarball is fetched again, refused, and nothing is unpacked.
rm -rf build/deps third_party/dtc
sed -i '/^dep device-tree-compiler/s/ [0-9a-f]\{64\} / 0000000000000000000000000000000000000000000000000000000000000000 /' \
    tools/deps.lock
tools/deps > "$scratch/out" 2>&1
check "a wrong SHA-256 fails" $((! $?))
grep -q 'but tools/deps.lock pins 0000' "$scratch/out"
check "and says which pin" $?
[[ ! -e third_party/dtc ]]
check "and unpacks nothing" $?

tally_summary
