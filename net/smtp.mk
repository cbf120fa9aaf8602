# net/smtp: the sans-I/O SMTP submission engine (smtp.c), its reply parser and its SASL helpers. Pure C11 and
# libc (snprintf, string.h): no lwIP, no mbedTLS, so the same objects build for the boards, board/native and the
# host tests (tests/unit/net/smtp.mk, tests/fuzz/smtp.mk). Included from net/net.mk.
# SMTP_SRCS names them once for the firmware and for everything that links the engine.
SMTP_SRCS += net/smtp.c
SMTP_SRCS += net/smtp_reply.c
SMTP_SRCS += net/smtp_auth.c
NET_SRCS += $(SMTP_SRCS)
