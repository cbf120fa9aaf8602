# The sendmail path (firmware/mail_submit and the mail modules under it) under libFuzzer.
FUZZ_TARGETS += fuzz_mail_submit
fuzz_mail_submit_SRCS := tests/fuzz/fuzz_mail_submit.c firmware/mail_submit.c firmware/mail_header.c \
	firmware/mail_mime.c lib/utf8.c firmware/mail_addr.c firmware/mail.c $(CONFIG_PARSER_SRCS)
