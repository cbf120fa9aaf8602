# net/smtp: the engine and its pure helpers (reply parser, EHLO capabilities, message encoder, SASL); host only.
UNIT_TESTS += test_smtp_reply
test_smtp_reply_SRCS := tests/unit/net/test_smtp_reply.c net/smtp_reply.c
UNIT_TESTS += test_smtp_auth
test_smtp_auth_SRCS := tests/unit/net/test_smtp_auth.c net/smtp_auth.c tests/unit/fakes/hmac_md5_ref.c
# The engine's sessions, scripted through tests/unit/net/smtp_harness.c: STARTTLS, extensions, refusals, timeouts
# and pipelining (test_smtp); AUTH mechanisms, HELO, readers and big bodies (test_smtp_session).
SMTP_TEST_SRCS := tests/unit/net/smtp_harness.c $(SMTP_SRCS) tests/unit/fakes/hmac_md5_ref.c
UNIT_TESTS += test_smtp
test_smtp_SRCS := tests/unit/net/test_smtp.c $(SMTP_TEST_SRCS)
UNIT_TESTS += test_smtp_session
test_smtp_session_SRCS := tests/unit/net/test_smtp_session.c $(SMTP_TEST_SRCS)
UNIT_TESTS += test_smtp_caps
test_smtp_caps_SRCS := tests/unit/net/test_smtp_caps.c net/smtp_caps.c net/smtp_auth.c
UNIT_TESTS += test_smtp_body
test_smtp_body_SRCS := tests/unit/net/test_smtp_body.c net/smtp_body.c
