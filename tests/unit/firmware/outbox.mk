# The outbox: the queue of the device's own mail and its delivery policy (firmware/outbox), pure and clock-driven.
UNIT_TESTS += test_outbox
test_outbox_SRCS := tests/unit/firmware/test_outbox.c firmware/outbox.c

UNIT_TESTS += test_outbox_classify
test_outbox_classify_SRCS := tests/unit/firmware/test_outbox_classify.c firmware/outbox_classify.c net/smtp.c net/smtp_reply.c \
	net/smtp_auth.c

# The outbox's delivery glue over the real queue, classifier, mail texts and composer; transport, network, clock and
# inputs faked in the test.
UNIT_TESTS += test_outbox_delivery
test_outbox_delivery_SRCS := tests/unit/firmware/test_outbox_delivery.c firmware/outbox_delivery.c firmware/outbox.c \
	firmware/outbox_classify.c firmware/outbox_journal.c firmware/journal.c drivers/blockdev.c firmware/alert_mail.c \
	mail/mail_compose.c mail/mail_header.c mail/mail_mime.c mail/mail_addr.c mail/mail.c \
	lib/utf8.c $(CONFIG_PARSER_SRCS) net/smtp.c net/smtp_reply.c net/smtp_auth.c tests/unit/fakes/fake_board.c \
	board/board_names.c tests/unit/fakes/fake_version.c tests/unit/fakes/stdout_capture.c $(LWIP_DIR)/core/ipv4/ip4_addr.c \
	$(LWIP_DIR)/core/def.c net/sys_arch.c
test_outbox_delivery_CFLAGS := $(NET_INCLUDES)
