# The outbox: the queue of the device's own mail and its delivery policy (firmware/outbox), pure and clock-driven.
UNIT_TESTS += test_outbox
test_outbox_SRCS := tests/unit/test_outbox.c firmware/outbox.c

UNIT_TESTS += test_outbox_classify
test_outbox_classify_SRCS := tests/unit/test_outbox_classify.c firmware/outbox_classify.c net/smtp.c net/smtp_reply.c \
	net/smtp_auth.c
