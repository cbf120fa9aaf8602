#!/usr/bin/env bash
# Tests tools/gen-ca-bundle: PEM certificates in, the same certificates as DER in a C file out (compiled and read
# back), bundle comments ignored, malformed input refused. Certificates are made with openssl in a scratch
# directory. Ends with "N passed, M failed".
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
tool=$root/tools/gen-ca-bundle
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
passed=0 failed=0

check() { # name, condition exit status
    if [[ $2 -eq 0 ]]; then passed=$((passed + 1)); echo "ok   $1"; else failed=$((failed + 1)); echo "FAIL $1"; fi
}

for n in 1 2; do
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$scratch/k$n.pem" \
        -out "$scratch/c$n.pem" -subj "/CN=test root $n" -days 30 2> /dev/null
    openssl x509 -in "$scratch/c$n.pem" -outform DER -out "$scratch/c$n.der"
done
# A bundle as Debian writes it, with text between the blocks.
{ echo "# test root 1"; cat "$scratch/c1.pem"; echo; echo "# test root 2"; cat "$scratch/c2.pem"; } > "$scratch/bundle.pem"
cat "$scratch/c1.der" "$scratch/c2.der" > "$scratch/want.der"

"$tool" --source "$scratch/bundle.pem" "$scratch/ca_bundle.c" 2> "$scratch/err"
check "two certificates convert" $?
grep -q "2 CA certificates, $(stat -c %s "$scratch/want.der") bytes of DER" "$scratch/ca_bundle.c"
check "header comment counts them" $?

# Compile the output with a reader that writes the bytes back out.
cat > "$scratch/dump.c" <<'C'
#include <stdio.h>
#include "net/ca_bundle.h"
int main(void)
{
    fwrite(tls_builtin_ca_der, 1, tls_builtin_ca_der_len, stdout);
    return tls_builtin_ca_count == 2 ? 0 : 1;
}
C
gcc -std=c11 -Wall -Wextra -Werror -I"$root" -o "$scratch/dump" "$scratch/dump.c" "$scratch/ca_bundle.c" &&
    "$scratch/dump" > "$scratch/got.der" && cmp -s "$scratch/got.der" "$scratch/want.der"
check "the C file holds exactly the DER, warning-free" $?

printf -- '-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n' > "$scratch/bad.pem"
"$tool" --source "$scratch/bad.pem" "$scratch/bad.c" 2> "$scratch/err"
[[ $? -eq 1 && ! -e $scratch/bad.c ]]
check "malformed base64 is refused" $?

echo "no certificates here" > "$scratch/empty.pem"
"$tool" --source "$scratch/empty.pem" "$scratch/empty.c" 2> "$scratch/err"
[[ $? -eq 1 ]] && grep -q "no certificate" "$scratch/err"
check "a file without certificates is refused" $?

"$tool" --source "$scratch/missing.pem" "$scratch/missing.c" 2> "$scratch/err"
[[ $? -eq 1 ]]
check "a missing file is refused" $?

echo "$passed passed, $failed failed"
(( failed == 0 ))
