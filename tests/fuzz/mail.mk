# The sendmail path (mail/mail_submit and the mail modules under it) under libFuzzer.
FUZZ_TARGETS += fuzz_mail_submit
fuzz_mail_submit_SRCS := tests/fuzz/fuzz_mail_submit.c mail/mail_submit.c mail/mail_header.c \
	mail/mail_mime.c lib/utf8.c mail/mail_addr.c mail/mail.c $(CONFIG_PARSER_SRCS)
