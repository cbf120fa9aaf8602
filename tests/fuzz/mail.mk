# The sendmail path (mail/mail_submit and the mail modules under it) under libFuzzer.
FUZZ_TARGETS += fuzz_mail_submit
fuzz_mail_submit_SRCS := tests/fuzz/fuzz_mail_submit.c $(MAIL_SRCS) $(CONFIG_PARSER_SRCS) $(LIB_SRCS)
