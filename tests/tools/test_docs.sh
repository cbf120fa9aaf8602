#!/bin/sh
# The user guides quote what the firmware prints: each quoted text must be in the guide and, as written, in the
# source that prints it (or the test that pins it), so that a changed message cannot leave a guide behind.
# Run from anywhere: tests/tools/test_docs.sh. Last line: "N passed, M failed"; exit 1 on failure.
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

# A guide as one line: Markdown wraps a quoted message wherever it likes.
flat() {
	sed -e ':a' -e 'N' -e '$!ba' -e 's/\n */ /g' "$root/$1" >"$tmp/flat"
}

# quoted GUIDE SOURCE TEXT: TEXT is in GUIDE (wrapping ignored) and on one line of SOURCE.
quoted() {
	flat "$1"
	if ! grep -qF -- "$3" "$tmp/flat"; then
		fail=$((fail + 1))
		echo "FAIL $1 does not quote: $3"
	elif ! grep -qF -- "$3" "$root/$2"; then
		fail=$((fail + 1))
		echo "FAIL $1 quotes what $2 does not print: $3"
	else
		pass=$((pass + 1))
		echo "ok   $1: $3"
	fi
}

p=docs/providers.md
quoted $p net/smtp_session_auth.c "refusing to send credentials without TLS: set UseSTARTTLS=YES (port 587)"
quoted $p net/smtp.c "server does not offer STARTTLS; refusing to continue without TLS"
quoted $p net/smtp.c "no reply within"
quoted $p net/smtp_session_auth.c "server offers"
quoted $p net/tls.c "clock not set: cannot check certificate dates"
quoted $p net/tls.c "the server certificate does not match TLS_Fingerprint"
quoted $p net/tls.c "(it has SHA-256 "
quoted $p net/smtp_client.c "resolving "
quoted $p net/smtp_client.c "connecting to "
quoted $p net/smtp_client.c "connected to "
quoted $p net/smtp_client.c "cannot resolve "
quoted $p net/net_strerror.c "not a valid name"
quoted $p net/net_strerror.c "no DNS server (none from DHCP, and no DNS in smtp.conf"
quoted $p net/smtp_client.c "connection refused"
quoted $p net/smtp_client.c "sending the message"
quoted $p firmware/mail_cmd.c "sending a test message to "
quoted $p firmware/mail_cmd.c "no usable configuration"
quoted $p firmware/mail_cmd.c "the network is not up (see \`net\`)"
quoted $p firmware/mail_cmd.c "RCPT <"
quoted $p third_party/mbedtls/include/mbedtls/x509_crt.h "The certificate is not correctly signed by the trusted CA"
quoted $p tests/unit/net/test_smtp.c "BODY failed: no reply within 600 s"

c=docs/config.md
quoted $c config/config.c "unknown key, ignored, as ssmtp does"
quoted $c config/config.c "the password ends before column"
quoted $c config/config.c "AllowAuthWithoutTLS"
quoted $c tests/unit/config/test_config_format.c "AuthMethod =  # not set: the first of PLAIN, LOGIN, CRAM-MD5 the server offers"
quoted $c tests/unit/net/test_smtp.c "BODY failed: no reply within 600 s"

# links GUIDE: every relative Markdown link of GUIDE names a file or folder that exists (from GUIDE's folder).
links() {
	dir=$(dirname "$1")
	for target in $(grep -oE '\]\([^)#[:space:]]+' "$root/$1" | sed 's/^](//' | grep -vE '^[a-z]+:'); do
		if [ -e "$root/$dir/$target" ]; then
			pass=$((pass + 1))
			echo "ok   $1 links to $target"
		else
			fail=$((fail + 1))
			echo "FAIL $1 links to $target, which does not exist"
		fi
	done
}
links README.md
for guide in "$root"/docs/*.md; do
	links "${guide#"$root"/}"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
