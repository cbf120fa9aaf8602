#!/usr/bin/env bash
# Tests tools/apt-private's choice of mirror and the private sources list it writes, against made-up apt
# configurations (APT_PRIVATE_ETC); no network: --update is never passed. Ends with "N passed, M failed".
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
tool=$root/tools/apt-private
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
passed=0 failed=0

check() { # name, condition exit status
    if [[ $2 -eq 0 ]]; then passed=$((passed + 1)); echo "ok   $1"; else failed=$((failed + 1)); echo "FAIL $1"; fi
}

# Writes an apt configuration directory: $1 = name, then "file" "content" pairs.
make_etc() {
    local dir=$scratch/$1; shift
    mkdir -p "$dir/sources.list.d"
    while (( $# )); do printf '%s' "$2" > "$dir/$1"; shift 2; done
    echo "$dir"
}

# Runs the tool on an apt configuration; prints the private sources list it wrote.
private_list() {
    local etc=$1 out=$scratch/out-$RANDOM
    APT_PRIVATE_ETC=$etc "$tool" "$out" trixie "main" > "$scratch/opts" 2> "$scratch/err" || return 1
    grep -qx -- "Dir::Etc::SourceList=$out/etc/sources.list" "$scratch/opts" || return 1
    cat "$out/etc/sources.list"
}

# deb822: the security stanza comes first and must be skipped; the release suite is chosen, with its keyring.
etc=$(make_etc deb822 sources.list.d/debian.sources "Types: deb
URIs: http://security.invalid/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/sec.gpg

# a comment
Types: deb
URIs: http://mirror.invalid/debian
Suites: bookworm bookworm-updates
Components: main contrib
Signed-By: /usr/share/keyrings/main.gpg
")
list=$(private_list "$etc")
[[ $list == "deb-src [signed-by=/usr/share/keyrings/main.gpg] http://mirror.invalid/debian trixie main" ]]
check "deb822: release entry, not security; its keyring" $?

# Disabled stanzas do not count.
etc=$(make_etc disabled sources.list.d/a.sources "Types: deb
URIs: http://off.invalid/debian
Suites: bookworm
Components: main
Enabled: no

Types: deb
URIs: http://on.invalid/debian/
Suites: bookworm
Components: main
")
list=$(private_list "$etc")
[[ $list == "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://on.invalid/debian trixie main" ]]
check "deb822: Enabled: no skipped; default keyring; trailing slash dropped" $?

# One-line format with options, after a security line.
etc=$(make_etc oneline sources.list "deb http://security.invalid/debian-security bookworm-security main
deb [arch=amd64 signed-by=/k/one.gpg] http://one.invalid/debian bookworm main non-free-firmware
")
list=$(private_list "$etc")
[[ $list == "deb-src [signed-by=/k/one.gpg] http://one.invalid/debian trixie main" ]]
check "sources.list: release line, signed-by option" $?

# Nothing usable: a clear error, exit status 1.
etc=$(make_etc none sources.list "deb http://security.invalid/debian-security bookworm-security main
")
APT_PRIVATE_ETC=$etc "$tool" "$scratch/none" trixie main > /dev/null 2> "$scratch/err"
status=$?
[[ $status -eq 1 ]] && grep -q "no Debian mirror found" "$scratch/err"
check "no mirror: exit 1 with a message" $?

# Binary packages (tools/mksdcard) and several components.
etc=$scratch/deb822
out=$scratch/bin
APT_PRIVATE_ETC=$etc "$tool" "$out" bookworm "main non-free-firmware" deb > /dev/null 2>&1
[[ $(cat "$out/etc/sources.list") == \
   "deb [signed-by=/usr/share/keyrings/main.gpg] http://mirror.invalid/debian bookworm main non-free-firmware" ]]
check "types and components as given" $?

"$tool" > /dev/null 2>&1
[[ $? -eq 2 ]]
check "usage error: exit 2" $?

echo "$passed passed, $failed failed"
(( failed == 0 ))
