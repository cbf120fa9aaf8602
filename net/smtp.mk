# net/smtp: the sans-I/O SMTP submission engine, one module in several files (smtp_engine.h lists them), and the
# pure helpers it is built on: reply parser, EHLO capabilities, message encoder, SASL encodings. Pure C11 and libc
# (snprintf, string.h): no lwIP, no mbedTLS, so the same objects build for the boards, board/native and the host
# tests and fuzz targets, which link SMTP_SRCS (named here once). Included from net/net.mk.
SMTP_SRCS := net/smtp.c net/smtp_session_auth.c net/smtp_session_txn.c
SMTP_SRCS += net/smtp_reply.c net/smtp_caps.c net/smtp_body.c net/smtp_auth.c
NET_SRCS += $(SMTP_SRCS)
