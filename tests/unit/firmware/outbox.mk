# The outbox: the queue of the device's own mail and its delivery policy (firmware/outbox), pure and clock-driven.
UNIT_TESTS += test_outbox
test_outbox_SRCS := tests/unit/firmware/test_outbox.c firmware/outbox.c

UNIT_TESTS += test_outbox_classify
test_outbox_classify_SRCS := tests/unit/firmware/test_outbox_classify.c firmware/outbox_classify.c $(SMTP_SRCS)

# The outbox's delivery glue over the real queue, classifier, mail texts and composer; transport, network, clock and
# inputs faked in the test.
UNIT_TESTS += test_outbox_delivery
test_outbox_delivery_SRCS := tests/unit/firmware/test_outbox_delivery.c firmware/outbox_delivery.c firmware/net_settings.c \
	firmware/outbox_classify.c $(JOURNAL_SRCS) $(DISK_SRCS) firmware/alert_mail.c $(MAIL_SRCS) \
	$(CONFIG_PARSER_SRCS) $(LIB_SRCS) $(SMTP_SRCS) $(FAKE_BOARD_SRCS) tests/unit/fakes/fake_version.c \
	tests/unit/fakes/stdout_capture.c $(LWIP_DIR)/core/ipv4/ip4_addr.c $(LWIP_DIR)/core/def.c $(NET_SYS_SRCS)
test_outbox_delivery_CFLAGS := $(NET_INCLUDES)
