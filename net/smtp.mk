# net/smtp: the sans-I/O SMTP submission engine (smtp.c), its reply parser and its SASL helpers. Pure C11 and
# libc (snprintf, string.h): no lwIP, no mbedTLS, so the same objects build for the boards, board/native and the
# host tests (tests/unit/net/smtp.mk, tests/fuzz/smtp.mk). Included from net/net.mk.
NET_SRCS += net/smtp.c
NET_SRCS += net/smtp_reply.c
NET_SRCS += net/smtp_auth.c
