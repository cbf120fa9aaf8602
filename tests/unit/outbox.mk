# The outbox: the queue of the device's own mail and its delivery policy (firmware/outbox), pure and clock-driven.
UNIT_TESTS += test_outbox
test_outbox_SRCS := tests/unit/test_outbox.c firmware/outbox.c

UNIT_TESTS += test_outbox_classify
test_outbox_classify_SRCS := tests/unit/test_outbox_classify.c firmware/outbox_classify.c $(SMTP_ENGINE_SRCS)

# The outbox's delivery glue over the real queue, classifier, mail texts and composer; transport, network, clock and
# inputs faked in the test.
UNIT_TESTS += test_outbox_delivery
test_outbox_delivery_SRCS := tests/unit/test_outbox_delivery.c firmware/outbox_delivery.c firmware/outbox.c \
	firmware/outbox_classify.c firmware/outbox_journal.c firmware/journal.c drivers/blockdev.c firmware/alert_mail.c \
	firmware/mail_compose.c firmware/mail_header.c firmware/mail_mime.c firmware/mail_addr.c firmware/mail.c \
	lib/utf8.c $(CONFIG_PARSER_SRCS) $(SMTP_ENGINE_SRCS) tests/unit/fake_board.c \
	board/board_names.c tests/unit/fake_version.c tests/unit/stdout_capture.c $(LWIP_DIR)/core/ipv4/ip4_addr.c \
	$(LWIP_DIR)/core/def.c net/sys_arch.c
test_outbox_delivery_CFLAGS := $(NET_INCLUDES)
