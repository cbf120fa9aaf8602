FUZZ_TARGETS += fuzz_smtp_reply
fuzz_smtp_reply_SRCS := tests/fuzz/fuzz_smtp_reply.c $(SMTP_ENGINE_SRCS)
