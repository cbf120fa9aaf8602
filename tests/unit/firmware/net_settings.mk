# firmware/net_settings: smtp.conf as the settings of net/ (interface, TLS, SMTP engine, submission), from
# configurations parsed by config/; net/smtp for its default timeouts, lwIP's def.c for the byte order.
UNIT_TESTS += test_net_settings
test_net_settings_SRCS := tests/unit/firmware/test_net_settings.c firmware/net_settings.c $(CONFIG_PARSER_SRCS) \
	$(SMTP_SRCS) $(LWIP_DIR)/core/def.c
test_net_settings_CFLAGS := $(NET_INCLUDES)
