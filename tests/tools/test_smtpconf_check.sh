#!/bin/sh
# Tests of tools/smtpconf-check: exit codes, diagnostics (file:line: key: ...), masking, PEM checks.
# Run from anywhere: tests/tools/test_smtpconf_check.sh. Last line: "N passed, M failed"; exit 1 on failure.
root=$(cd "$(dirname "$0")/../.." && pwd)
check="$root/tools/smtpconf-check"
data="$root/tests/data/config"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

# run NAME WANT_EXIT ARGS... : runs the checker, output in $tmp/out and $tmp/err
run() {
	name=$1 want=$2
	shift 2
	"$check" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -eq "$want" ]; then
		ok=1
	else
		ok=0
		why="exit $got, want $want"
	fi
}
# expect FILE TEXT : the output file contains TEXT (fixed string)
expect() {
	if [ $ok -eq 1 ] && ! grep -qF -- "$2" "$tmp/$1"; then
		ok=0
		why="$1 lacks: $2"
	fi
}
reject() {
	if [ $ok -eq 1 ] && grep -qF -- "$2" "$tmp/$1"; then
		ok=0
		why="$1 contains: $2"
	fi
}
done_case() {
	if [ $ok -eq 1 ]; then
		pass=$((pass + 1))
		echo "ok   $name"
	else
		fail=$((fail + 1))
		echo "FAIL $name: $why"
		sed 's/^/     | /' "$tmp/err"
	fi
}

pem() { # pem LABEL BODY
	printf -- '-----BEGIN %s-----\n%s\n-----END %s-----\n' "$1" "$2" "$1"
}
B64='MIIBszCCAVmgAwIBAgIUTESTTESTTESTTESTTESTTESTTESTMAoGCCqGSM49BAMC
MBMxETAPBgNVBAMMCGJhcmVtYWlsMB4XDTI1MDEwMTAwMDAwMFoXDTM1MDEwMTAw
MDAwMFowEzERMA8GA1UEAwwIYmFyZW1haWw='

run "seed ssmtp.conf is usable" 0 "$data/ssmtp.conf"
expect err "ssmtp.conf:24: HostName: warning: 'MiniProjet SMTP Unix' contains spaces"
expect err "0 errors"
expect out "AuthPass = ********"
expect out "MailHub = smtp.gmail.com:587"
expect out "HostName = \"MiniProjet SMTP Unix\"  # EHLO MiniProjet"
reject out "abcd efgh"
reject err "abcd efgh"
done_case

sed 's/^mailhub=/MailHubb=/' "$data/ssmtp.conf" >"$tmp/ssmtp.conf"
run "MailHubb is an error with a suggestion" 1 "$tmp/ssmtp.conf"
expect err "ssmtp.conf:11: MailHubb: error: unknown key; did you mean MailHub?"
expect err "NOT usable"
done_case

printf '\357\273\277' >"$tmp/win.conf"
sed 's/$/\r/' "$data/ssmtp.conf" | head -c -2 >>"$tmp/win.conf"
run "CRLF, BOM, no final newline" 0 "$tmp/win.conf"
expect out "FromLineOverride = YES"
done_case

run "missing file" 1 "$tmp/nope.conf"
expect err "nope.conf: error: No such file or directory"
done_case

run "no arguments" 2
expect err "usage: smtpconf-check FILE"
done_case

run "unknown option" 2 "$data/ssmtp.conf" --frob
done_case

run "revaliases" 0 "$data/ssmtp.conf" --revaliases "$data/revaliases"
expect out "#   root:alerts@example.com:smtp.gmail.com:587"
done_case

run "revaliases unreadable" 1 "$data/ssmtp.conf" --revaliases "$tmp/none"
expect err "none: error: No such file or directory"
done_case

mkdir -p "$tmp/card"
base='MailHub=smtp.example.com:587
Root=ops@example.com
UseSTARTTLS=YES
TLS_CA_File=ca.pem'
printf '%s\n' "$base" >"$tmp/card/smtp.conf"
run "CA file missing" 1 "$tmp/card/smtp.conf"
expect err "smtp.conf:4: TLS_CA_File: error: cannot read 'ca.pem'"
done_case

{ pem CERTIFICATE "$B64"; pem CERTIFICATE "$B64"; } >"$tmp/card/ca.pem"
run "CA bundle is PEM" 0 "$tmp/card/smtp.conf"
expect out "TLS_CA_File = ca.pem"
reject err "TLS_CA_File"
done_case

pem CERTIFICATE 'MIIB$$$notbase64' >"$tmp/card/ca.pem"
run "CA bad base64" 1 "$tmp/card/smtp.conf"
expect err "TLS_CA_File: error: 'ca.pem' is not usable PEM: invalid base64"
done_case

pem CERTIFICATE 'QUJD=' >"$tmp/card/ca.pem"
run "CA bad padding" 1 "$tmp/card/smtp.conf"
expect err "wrong length or padding"
done_case

printf 'just text\n' >"$tmp/card/ca.pem"
run "CA not PEM" 1 "$tmp/card/smtp.conf"
expect err "not a PEM file"
done_case

printf -- '-----BEGIN CERTIFICATE-----\n%s\n-----END CERT-----\n' "$B64" >"$tmp/card/ca.pem"
run "CA mismatched END" 1 "$tmp/card/smtp.conf"
expect err "END label does not match"
done_case

pem "PRIVATE KEY" "$B64" >"$tmp/card/ca.pem"
run "CA holds a key" 0 "$tmp/card/smtp.conf"
expect err "TLS_CA_File: warning: 'ca.pem' is PEM but holds something other than CERTIFICATE"
done_case

pem CERTIFICATE "$B64" >"$tmp/card/ca.pem"
printf '%s\nUseTLSCert=YES\nTLSCert=/client.pem\nTLSKey=client.key\n' "$base" >"$tmp/card/smtp.conf"
pem CERTIFICATE "$B64" >"$tmp/card/client.pem"
pem "EC PRIVATE KEY" "$B64" >"$tmp/card/client.key"
run "client cert and key" 0 "$tmp/card/smtp.conf"
expect out "TLSKey = client.key"
reject out "$(echo "$B64" | head -n 1)"
done_case

printf -- '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\n%s\n-----END RSA PRIVATE KEY-----\n' "$B64" \
	>"$tmp/card/client.key"
run "encrypted key refused" 1 "$tmp/card/smtp.conf"
expect err "TLSKey: error: 'client.key' is not usable PEM"
done_case

printf '%s\nUseTLSCert=YES\nTLSCert=both.pem\n' "$base" >"$tmp/card/smtp.conf"
{ pem CERTIFICATE "$B64"; pem "PRIVATE KEY" "$B64"; } >"$tmp/card/both.pem"
run "cert and key in one file (ssmtp style)" 0 "$tmp/card/smtp.conf"
reject err "TLSCert"
done_case

# Alert pins: the board's rule (board/pi_header.c), the same answer the firmware gives at boot.
{
	printf 'MailHub=mx.example.com\nRoot=ops@example.com\nAlert=door: gpio=17\n'
	printf 'Alert=tx: gpio=14\nAlert=far: gpio=30\nAlert=big: gpio=54\n'
} >"$tmp/pins.conf"
run "alert pins refused as the board refuses them" 1 "$tmp/pins.conf"
expect err "pins.conf:4: Alert: error: tx: gpio: GPIO 14 cannot be watched: it carries the serial console's TXD"
expect err "serial console's TXD (header pin 8); choose another pin"
expect err "pins.conf:5: Alert: error: far: gpio: GPIO 30 cannot be watched: it is not on the 40-pin header"
expect err "it is not on the 40-pin header (GPIO 0-27 are); choose another pin"
expect err "pins.conf:6: Alert: error: big: gpio: expected a BCM GPIO number 0-53, got '54'"
expect err "3 errors, 0 warnings"
reject err "door"
done_case

printf 'MailHub=mx.example.com\nRoot=ops@example.com\nAlert=door: gpio=27\nAlert=bell: gpio=26\n' >"$tmp/pins.conf"
run "alert pin only on the 40-pin header warns" 0 "$tmp/pins.conf"
expect err "pins.conf:4: Alert: warning: bell: gpio: GPIO 26: on the 40-pin header only: a Pi 1 Model A or B"
expect err "a Pi 1 Model A or B (26-pin header) would refuse it"
expect err "0 errors, 1 warning"
reject err "door"
done_case

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
