# net/smtp engine, its reply parser and its SASL helpers (host tests; no lwIP, no mbedTLS).
UNIT_TESTS += test_smtp_reply
test_smtp_reply_SRCS := tests/unit/net/test_smtp_reply.c net/smtp_reply.c
UNIT_TESTS += test_smtp_auth
test_smtp_auth_SRCS := tests/unit/net/test_smtp_auth.c net/smtp_auth.c tests/unit/fakes/hmac_md5_ref.c
UNIT_TESTS += test_smtp
test_smtp_SRCS := tests/unit/net/test_smtp.c $(SMTP_SRCS) tests/unit/fakes/hmac_md5_ref.c
