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
# ---- credentials in clear (issue 10, item 1) ----
printf 'MailHub=relay.lan:25\nRoot=ops@example.com\nUseTLS=NO\nAuthUser=pi\nAuthPass=s3cret\n' >"$tmp/clear.conf"
run "AUTH without TLS is an error that names the fix" 1 "$tmp/clear.conf"
expect err "clear.conf:4: AuthUser: error: TLS is off (UseTLS=NO), so the password would go in clear text, which baremail refuses: set UseSTARTTLS=YES (port 587) or UseTLS=YES (port 465)"
expect err "AllowAuthWithoutTLS=YES"
reject err "s3cret"
done_case

printf 'AllowAuthWithoutTLS=YES\n' >>"$tmp/clear.conf"
run "AllowAuthWithoutTLS=YES allows it, without a warning" 0 "$tmp/clear.conf"
expect out "AllowAuthWithoutTLS = YES"
expect out "AuthMethod =  # not set: the first of CRAM-MD5, PLAIN, LOGIN the server offers"
expect err "0 errors, 0 warnings"
done_case

# ---- one set of size limits with the firmware (item 2) ----
{ printf 'MailHub=smtp.example.com:587\nRoot=ops@example.com\nUseSTARTTLS=YES\n'; yes '# a comment line to fill the file'; } \
	| head -c 65537 >"$tmp/big.conf"
run "smtp.conf over the firmware's 64 KiB is refused" 1 "$tmp/big.conf"
expect err "big.conf: error: 65537 bytes, more than the 65536 baremail reads"
done_case

head -c 65536 "$tmp/big.conf" >"$tmp/fits.conf"
run "smtp.conf of exactly 64 KiB is read" 0 "$tmp/fits.conf"
done_case

printf 'MailHub=smtp.example.com:587\nRoot=ops@example.com\nUseSTARTTLS=YES\nTLS_CA_File=ca.pem\n' >"$tmp/card/smtp.conf"
{ pem CERTIFICATE "$B64"; head -c 262144 /dev/zero | tr '\0' '\n'; } | head -c 262145 >"$tmp/card/ca.pem"
run "PEM over the firmware's 256 KiB is refused" 1 "$tmp/card/smtp.conf"
expect err "smtp.conf:4: TLS_CA_File: error: cannot read 'ca.pem': 262145 bytes, more than the 262144 baremail reads"
done_case

# ---- checker messages (item 15) ----
mkdir -p "$tmp/dir.conf"
run "a directory is named as one" 1 "$tmp/dir.conf"
expect err "dir.conf: error: is a directory, not a file"
reject err "too large"
done_case

printf 'M\0a\0i\0l\0H\0u\0b\0=\0x\0\n\0' | { printf '\377\376'; cat; } >"$tmp/utf16.conf"
run "UTF-16 gives one error, no follow-on ones" 1 "$tmp/utf16.conf"
expect err "utf16.conf:1: error: the file is UTF-16; save it as UTF-8 or plain ASCII"
expect err "1 error, 0 warnings"
reject err "not set"
done_case

printf "MailHub=smtp.example.com:587\nRoot=ops@example.com\nUseSTARTTLS=YES\nAuthUser=me@example.com\nAuthPass='abc def'\n" \
	>"$tmp/squote.conf"
run "single quotes get a hint" 0 "$tmp/squote.conf"
expect err "squote.conf:5: AuthPass: warning: the single quotes are part of the value (as in ssmtp); only double quotes quote a value: AuthPass=\"...\""
reject err "abc def"
done_case

printf 'MailHub=smtp.example.com:587\nRoot=ops@example.com\nAuthUser=me@example.com\nAuthPass=x\nFrobnicate=1\nHostName=a b\n' \
	>"$tmp/order.conf"
run "diagnostics in line order" 1 "$tmp/order.conf"
sed -n 's/^.*order\.conf:\([0-9]*\):.*/\1/p' "$tmp/err" >"$tmp/lines"
if [ $ok -eq 1 ] && [ "$(tr '\n' ' ' <"$tmp/lines")" != "3 5 6 " ]; then
	ok=0
	why="lines in order $(tr '\n' ' ' <"$tmp/lines"), want 3 5 6"
fi
done_case

printf 'MailHubb=smtp.example.com:587\nRoot=ops@example.com\n' >"$tmp/typo.conf"
run "a file-wide diagnostic after the lines it follows from" 1 "$tmp/typo.conf"
if [ $ok -eq 1 ] && ! head -n 1 "$tmp/err" | grep -qF "typo.conf:1: MailHubb: error: unknown key; did you mean MailHub?"; then
	ok=0
	why="first line is $(head -n 1 "$tmp/err")"
fi
expect err "typo.conf: MailHub: error: not set"
done_case

printf 'MailHub=smtp.example.com:587\nRoot=ops@example.com\nUseTLS=true\n' >"$tmp/explicit.conf"
run "no warning about what was written (UseTLS=true on 587)" 0 "$tmp/explicit.conf"
expect err "0 errors, 0 warnings"
done_case

# ---- AuthPass cut by a comment (item 8), AuthMethod as it happens (item 9) ----
printf 'MailHub=smtp.example.com:587\nRoot=ops@example.com\nUseSTARTTLS=YES\nAuthUser=me@example.com\nAuthPass=abc #def\n' \
	>"$tmp/hash.conf"
run "AuthPass cut at ' #' is named by column" 0 "$tmp/hash.conf"
expect err "hash.conf:5: AuthPass: warning: the password ends before column 14: a '#' after a blank starts a comment (as in ssmtp); if the '#' and what follows belong to the password, put it in double quotes: AuthPass=\"...\""
expect out "AuthMethod =  # not set: the first of PLAIN, LOGIN, CRAM-MD5 the server offers"
reject err "abc"
reject err "def"
done_case

# ---- real ssmtp.conf files (item 7) ----
sample="$root/tests/data/integration/ssmtp.conf"
run "the integration sample as it is: only its empty password" 1 "$sample"
expect err "ssmtp.conf:15: AuthPass: error: AuthUser is set but AuthPass is empty"
expect err "1 error, 1 warning"
done_case

sed -e 's/^AuthPass=$/AuthPass=app-password/' -e 's/^root=/#root=/' "$sample" >"$tmp/ssmtp.conf"
printf 'SERVER=someone@gmail.com\n' >>"$tmp/ssmtp.conf"
run "root commented out and an unknown key: usable, mail to AuthUser" 0 "$tmp/ssmtp.conf"
expect err "ssmtp.conf:31: SERVER: warning: unknown key, ignored, as ssmtp does"
expect err "0 errors, 2 warnings"
expect out "Root ="
expect out "AlertTo = alerts@example.com"
done_case

printf 'MailHub=smtp.example.com:587\nUseSTARTTLS=YES\n' >"$tmp/norcpt.conf"
run "no recipient at all: boot mail off, a warning" 0 "$tmp/norcpt.conf"
expect err "norcpt.conf: AlertTo: warning: no recipient (no AlertTo, Root, root in revaliases, nor an address in AuthUser), so no boot mail"
expect out "BootMail = NO"
done_case

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
