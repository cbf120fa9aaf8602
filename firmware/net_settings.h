/*
 * net_settings.h - the configuration (smtp.conf and revaliases, as config/ parsed them) turned into the small
 * settings structs of net/: the interface's (net/net.h), the TLS layer's (net/tls.h), the SMTP engine's
 * (net/smtp.h) and a submission's (net/smtp_client.h). Configuration flows one way, smtp.conf -> struct config ->
 * here -> net/; net/ never sees struct config.
 *
 * The rules are ssmtp's, as docs/config.md gives them: UseSTARTTLS=YES is STARTTLS, UseTLS=YES alone is TLS from
 * the first byte, UseTLS=NO plain SMTP where credentials go only with AllowAuthWithoutTLS=YES; AuthMethod forces a
 * mechanism only when it was written in the file; ConnectTimeout bounds the connect, SMTPTimeout every reply and
 * the body's progress, except the reply to the end of the data, which never waits less than RFC 5321's 10 minutes
 * (section 4.5.3.2.6: a shorter wait makes the client resend mail the server accepted); an account's revaliases
 * entry that names a mail hub sends its mail there.
 *
 * Rules: pure functions, any context. The structs filled point into `cfg` (names, credentials, file names), which
 * must outlive their use: for a submission, until smtp_client_done().
 */
#ifndef FIRMWARE_NET_SETTINGS_H
#define FIRMWARE_NET_SETTINGS_H

#include "config/config.h"
#include "net/net.h"
#include "net/smtp.h"
#include "net/smtp_client.h"
#include "net/tls.h"

/* The interface's settings: IP=dhcp or the static IP (with its prefix), Gateway and DNS (at most DNS_MAX_SERVERS),
 * HostName (config/'s EHLO name) and NTPServer. cfg NULL gives the defaults (as net_init(NULL)). */
void net_settings_interface(struct net_settings *out, const struct config *cfg);

/* The engine's options (the rules above). The log, progress and HMAC callbacks are left NULL. */
void net_settings_smtp(struct smtp_options *out, const struct config *cfg);

/* TLS_MinVersion and TLS_Fingerprint. */
void net_settings_tls(struct tls_settings *out, const struct config *cfg);

/* Everything one submission from local `account` needs ("root" for the console, else an Alert's name; NULL: none):
 * the mail hub (the account's revaliases one when it names one, else MailHub), the engine's options, Debug, and
 * the TLS settings and files (TLS_CA_File, and TLSCert and TLSKey with UseTLSCert=YES). */
void net_settings_submission(struct smtp_client_settings *out, const struct config *cfg, const char *account);

#endif /* FIRMWARE_NET_SETTINGS_H */
