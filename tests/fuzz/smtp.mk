FUZZ_TARGETS += fuzz_smtp_reply
fuzz_smtp_reply_SRCS := tests/fuzz/fuzz_smtp_reply.c net/smtp.c net/smtp_reply.c net/smtp_auth.c
