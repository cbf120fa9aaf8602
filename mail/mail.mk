# mail/: messages as pure C (addresses, MIME encodings, ssmtp's header rules, machine-made mail, the sendmail path
# and its message reader). Libc, config/ and lib/ only; the same sources build for the firmware, the host tests
# (tests/unit/mail/*.mk) and the fuzz targets (tests/fuzz/mail.mk). MAIL_SRCS is all of mail/: what links it also
# links $(CONFIG_PARSER_SRCS) and $(LIB_SRCS).
MAIL_SRCS += mail/mail.c
MAIL_SRCS += mail/mail_addr.c
MAIL_SRCS += mail/mail_mime.c
MAIL_SRCS += mail/mail_header.c
MAIL_SRCS += mail/mail_compose.c
MAIL_SRCS += mail/mail_submit.c
# sendmail's message reader (pure: bytes in, message out).
MAIL_SRCS += mail/mail_input.c
